import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedError, ProviderError, UsageError } from '../errors.js';
import { create, parseAnswer } from './exec.js';
import { killRunningGroups } from './process-group.js';
import type { ModelRequest, Provider } from './types.js';

// A house model that behaves according to the last message, so one script covers every case.
const SCRIPT = `
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  const last = req.messages[req.messages.length - 1].content;
  if (last === 'structured') process.stdout.write(JSON.stringify({ text: 'structured', model: 'house-1', tokens: { input: 3, output: 1 }, logprobs: [{ token: 'structured', logprob: -0.1 }] }));
  else if (last === 'echo') process.stdout.write(JSON.stringify(req) + '\\n');
  else if (last === 'fail') { process.stderr.write('\\nmodel weights missing\\nmore detail\\n'); process.exit(3); }
  else if (last === 'sleep') setTimeout(() => {}, 20000);
  else if (last === 'spawn') {
    // A command that starts a child of its own and waits: the child must stop with it.
    const { spawn } = require('node:child_process');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    require('node:fs').writeFileSync(req.params.pidFile, String(child.pid));
    setTimeout(() => {}, 20000);
  }
  else if (last === 'cwd') process.stdout.write(process.cwd() + '\\n');
  else if (last === 'env') process.stdout.write(String(process.env.HOUSE_TOKEN) + '\\n');
  else process.stdout.write('plain answer\\n\\n');
});
`;

let dir: string;
let provider: Provider;
const ask = (content: string, extra: Partial<ModelRequest> = {}): ModelRequest => ({ messages: [{ role: 'user', content }], params: {}, ...extra });

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'aigov-exec-')));
  writeFileSync(join(dir, 'model.cjs'), SCRIPT);
  provider = create({ name: 'house', type: 'exec', command: [process.execPath, 'model.cjs'], cwd: dir }, { HOUSE_TOKEN: 'from-env' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('exec provider', () => {
  it('takes plain stdout, minus one trailing newline, as the answer', async () => {
    const res = await provider.complete('house-model', ask('hello'), { timeoutMs: 10_000 });
    expect(res).toMatchObject({ text: 'plain answer\n', modelReturned: null, systemFingerprint: null, tokens: { input: 0, output: 0 }, logprobs: null });
    expect(res.latencyMs).toBeGreaterThan(0);
  });

  it('reads a JSON answer with text, model, tokens and logprobs', async () => {
    const res = await provider.complete('house-model', ask('structured'), { timeoutMs: 10_000 });
    expect(res).toMatchObject({ text: 'structured', modelReturned: 'house-1', tokens: { input: 3, output: 1 }, logprobs: [{ token: 'structured', logprob: -0.1 }] });
  });

  it('sends {model, messages, params, json, schema?, logprobs} on stdin', async () => {
    const res = await provider.complete('house-model', ask('echo', { params: { temperature: 0 }, json: true }), { timeoutMs: 10_000 });
    // No string `text` in that object, so the whole line is the answer.
    expect(JSON.parse(res.text)).toEqual({ model: 'house-model', messages: [{ role: 'user', content: 'echo' }], params: { temperature: 0 }, json: true, logprobs: false });
    const schema = { type: 'object', required: ['a'] };
    const withSchema = await provider.complete('house-model', ask('echo', { json: true, schema: { name: 'p', schema } }), { timeoutMs: 10_000 });
    expect(JSON.parse(withSchema.text)).toMatchObject({ json: true, schema });
  });

  it('reads truncated: true from a JSON answer', () => {
    expect(parseAnswer('{"text": "cut", "truncated": true}', 1).truncated).toBe(true);
    expect(parseAnswer('{"text": "whole"}', 1).truncated).toBeUndefined();
  });

  it('runs in the workspace root with the given environment', async () => {
    expect((await provider.complete('m', ask('cwd'), { timeoutMs: 10_000 })).text).toBe(dir);
    expect((await provider.complete('m', ask('env'), { timeoutMs: 10_000 })).text).toBe('from-env');
  });

  it('a nonzero exit is an exec error naming the command, the code and the first stderr line', async () => {
    const err = (await provider.complete('m', ask('fail'), { timeoutMs: 10_000 }).catch((e: unknown) => e)) as ProviderError;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.kind).toBe('exec');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(`exec provider "house": \`${process.execPath} model.cjs\` exited with code 3: model weights missing`);
  });

  it('a command that runs too long times out (retryable)', async () => {
    const err = (await provider.complete('m', ask('sleep'), { timeoutMs: 300 }).catch((e: unknown) => e)) as ProviderError;
    expect(err.kind).toBe('timeout');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/did not finish within 300 ms$/);
  });

  it('an abort stops the command', async () => {
    const c = new AbortController();
    setTimeout(() => c.abort(), 100);
    await expect(provider.complete('m', ask('sleep'), { timeoutMs: 10_000, signal: c.signal })).rejects.toBeInstanceOf(InterruptedError);
  });

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const waitFor = async (what: () => boolean, ms = 5000) => {
    for (const t0 = Date.now(); !what() && Date.now() - t0 < ms; ) await new Promise((r) => setTimeout(r, 20));
    return what();
  };

  it.skipIf(process.platform === 'win32')('an abort or a timeout stops the command together with the processes it started', async () => {
    for (const stop of ['abort', 'timeout'] as const) {
      const pidFile = join(dir, `child-${stop}.pid`);
      const c = new AbortController();
      const call = provider.complete('m', ask('spawn', { params: { pidFile } }), { timeoutMs: stop === 'timeout' ? 1500 : 10_000, signal: c.signal }).catch((e: unknown) => e);
      expect(await waitFor(() => existsSync(pidFile))).toBe(true);
      const grandchild = Number(readFileSync(pidFile, 'utf8'));
      expect(alive(grandchild)).toBe(true);
      if (stop === 'abort') c.abort();
      expect(await call).toBeInstanceOf(stop === 'abort' ? InterruptedError : ProviderError);
      expect(await waitFor(() => !alive(grandchild))).toBe(true);
    }
  });

  it.skipIf(process.platform === 'win32')('on exit, every command still running is killed with its process group', async () => {
    const pidFile = join(dir, 'child-exit.pid');
    const call = provider.complete('m', ask('spawn', { params: { pidFile } }), { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(await waitFor(() => existsSync(pidFile))).toBe(true);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    // What the process 'exit' hook runs.
    killRunningGroups();
    expect(await call).toBeInstanceOf(ProviderError);
    expect(await waitFor(() => !alive(grandchild))).toBe(true);
  });

  it('a command that cannot start is an exec error', async () => {
    const p = create({ name: 'house', type: 'exec', command: ['aigov-no-such-program-here'], cwd: dir }, {});
    const err = (await p.complete('m', ask('x'), { timeoutMs: 5000 }).catch((e: unknown) => e)) as ProviderError;
    expect(err.kind).toBe('exec');
    expect(err.message).toMatch(/^exec provider "house": cannot run `aigov-no-such-program-here`: .*ENOENT/);
  });

  it('cannot list models and needs a command', async () => {
    expect(await provider.listModels({ timeoutMs: 1000 })).toBeNull();
    expect(() => create({ name: 'house', type: 'exec' }, {})).toThrow(UsageError);
  });

  it.each([
    ['plain\n', 'plain'],
    ['plain\r\n', 'plain'],
    ['two\n\n', 'two\n'],
    ['{"text": 5}', '{"text": 5}'],
    ['{"text": "t", "tokens": {"input": -1, "output": "x"}}', 't'],
    ['{not json', '{not json'],
  ])('parses stdout %j as %j', (stdout, text) => {
    expect(parseAnswer(stdout, 1).text).toBe(text);
  });
});
