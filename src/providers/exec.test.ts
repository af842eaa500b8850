import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedError, ProviderError, UsageError } from '../errors.js';
import { create, parseAnswer } from './exec.js';
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
  writeFileSync(join(dir, 'model.mjs'), SCRIPT);
  provider = create({ name: 'house', type: 'exec', command: [process.execPath, 'model.mjs'], cwd: dir }, { HOUSE_TOKEN: 'from-env' });
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

  it('sends {model, messages, params, json, logprobs} on stdin', async () => {
    const res = await provider.complete('house-model', ask('echo', { params: { temperature: 0 }, json: true }), { timeoutMs: 10_000 });
    // No string `text` in that object, so the whole line is the answer.
    expect(JSON.parse(res.text)).toEqual({ model: 'house-model', messages: [{ role: 'user', content: 'echo' }], params: { temperature: 0 }, json: true, logprobs: false });
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
    expect(err.message).toBe(`exec provider "house": \`${process.execPath} model.mjs\` exited with code 3: model weights missing`);
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
