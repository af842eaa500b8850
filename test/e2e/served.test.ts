// What `aigov eval` checks of the answers and the wire, through the built binary against
// servers that behave like real ones: the served model, truncation, the output schema,
// the API key, compressed answers, the SDKs' own output, and Ctrl-C with an exec provider.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/open.js';
import { aigov, BIN } from '../support/cli.js';
import { startModelServer, type ModelServer, type ModelServerOptions } from '../support/model-server.mjs';
import { classifierFiles, configYaml, promptYaml, tempWorkspace } from '../support/workspace.js';

const ANSWERS: Record<string, string> = { power: 'utilities', flight: 'travel' };
const byInvoice = (req: { messages: { content: string }[] }) => ANSWERS[/Invoice: (\w+)/.exec(req.messages.at(-1)!.content)?.[1] ?? ''] ?? 'OK';
const listed = { openai: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'], anthropic: ['claude-sonnet-4-5-20250929'] };

const servers: ModelServer[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.splice(0).forEach((c) => c());
});
afterAll(() => Promise.all(servers.map((s) => s.close())));

async function serve(opts: ModelServerOptions = {}): Promise<ModelServer> {
  const s = await startModelServer({ models: listed, answer: byInvoice, ...opts });
  servers.push(s);
  return s;
}

/** The classifier workspace on `server`, pinned; `files` are added before pinning. */
async function pinned(server: ModelServer, files: Record<string, string> = {}, expect?: Record<string, string>) {
  const w = tempWorkspace({ ...classifierFiles({ baseURL: server.openaiBaseURL, expect }), ...files });
  cleanups.push(w.cleanup);
  const pin = await aigov(['pin'], { cwd: w.root });
  if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
  return w;
}
const completions = (s: ModelServer) => s.requests.filter((r) => r.path.endsWith('/chat/completions') || r.path.endsWith('/v1/messages'));

describe('the served model', () => {
  let server: ModelServer;
  beforeAll(async () => {
    server = await serve();
  });
  afterEach(() => server.setAnswer(byInvoice));

  it('an answer from another model fails the gate (exit 1), naming both ids in every format, and is recorded', async () => {
    const w = await pinned(server);
    server.setAnswer((req) => ({ text: byInvoice(req), model: 'llama-3.1-8b-instruct-q4' }));
    const r = await aigov(['eval', '-o', 'report.xml'], { cwd: w.root });
    expect(r.exitCode).toBe(1);
    const said = 'MODEL MISMATCH: suite "inv": 2 answers came from llama-3.1-8b-instruct-q4, but aigov.lock says "fast" is served as gpt-4o-mini-2024-07-18';
    expect(r.stdout).toContain(said);
    expect(r.stdout).toMatch(/│ inv\s+│ 2\s+│ 2\s+│ 0\s+│ 0\s+│ 100%/);
    const junit = readFileSync(join(w.root, 'report.xml'), 'utf8');
    expect(junit).toContain('<property name="aigov.modelMismatch" value="fast: gpt-4o-mini-2024-07-18 -&gt; llama-3.1-8b-instruct-q4"/>');
    expect(junit).toMatch(/<testsuite name="inv" tests="3" failures="1"[^>]*>[\s\S]*<testcase classname="inv" name="\(served model\)"[^>]*>\s*<failure message="MODEL MISMATCH/);
    const json = JSON.parse((await aigov(['eval', '--format', 'json'], { cwd: w.root })).stdout);
    expect(json.suites[0].modelMismatch).toEqual([{ model: 'fast', expected: 'gpt-4o-mini-2024-07-18', returned: 'llama-3.1-8b-instruct-q4', answers: 2 }]);
    expect(json.suites[0].model).toMatchObject({ served: 'gpt-4o-mini-2024-07-18', returned: ['llama-3.1-8b-instruct-q4'] });
    const md = await aigov(['eval', '--format', 'markdown'], { cwd: w.root });
    expect(md.exitCode).toBe(1);
    expect(md.stdout).toContain('## aigov eval: ❌ model mismatch');
    expect(md.stdout).toContain(said);
    const gh = await aigov(['eval', '--format', 'github'], { cwd: w.root });
    expect(gh.stdout).toMatch(/^::error file=evals\/inv\.yaml,title=model mismatch%3A inv::MODEL MISMATCH: suite "inv": 2 answers came from llama-3\.1-8b-instruct-q4/m);

    const store = await openStore('sqlite:.aigov/runs.db', w.root);
    try {
      const events = await store.query({ types: ['eval_completed'] });
      expect(events.length).toBeGreaterThan(0);
      expect(events.at(-1)!.data).toMatchObject({ suite: 'inv', model: 'openai:gpt-4o-mini-2024-07-18', served: 'llama-3.1-8b-instruct-q4', passed: false, passRate: 1 });
    } finally {
      await store.close();
    }
  });

  it('passes when the answers report the served model, and where they report none there is nothing to compare', async () => {
    const w = await pinned(server);
    const ok = await aigov(['eval', '--no-cache'], { cwd: w.root });
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).not.toContain('MISMATCH');
    server.setAnswer((req) => ({ text: byInvoice(req), model: '' }));
    const none = await aigov(['eval', '--no-cache', '--json'], { cwd: w.root });
    expect(none.exitCode).toBe(0);
    expect(JSON.parse(none.stdout).suites[0].model.returned).toEqual([]);
  });

  it('a local server that names its own model passes once pin has recorded that name', async () => {
    const llama = await serve({ serveModel: 'llama-3.1-8b-instruct-q4', systemFingerprint: false });
    const w = await pinned(llama);
    expect(readFileSync(join(w.root, 'aigov.lock'), 'utf8')).toContain('served: llama-3.1-8b-instruct-q4');
    expect((await aigov(['eval'], { cwd: w.root })).exitCode).toBe(0);
  });

  it('a replay compares the model stored in the recording', async () => {
    const w = await pinned(server);
    expect((await aigov(['eval', '--record'], { cwd: w.root })).exitCode).toBe(0);
    expect((await aigov(['eval', '--replay'], { cwd: w.root, env: { TEST_OPENAI_KEY: undefined } })).exitCode).toBe(0);
    const fixtures = readFileSync(join(w.root, 'fixtures/inv.yaml'), 'utf8');
    w.write('fixtures/inv.yaml', fixtures.replace(/modelReturned: gpt-4o-mini-2024-07-18/, 'modelReturned: gpt-4o-mini-2025-09-09'));
    const r = await aigov(['eval', '--replay'], { cwd: w.root, env: { TEST_OPENAI_KEY: undefined } });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('1 answer came from gpt-4o-mini-2025-09-09, but aigov.lock says "fast" is served as gpt-4o-mini-2024-07-18');
  });

  it("a judge's answers are checked against the judge model's served too", async () => {
    const judged = await serve({
      answer: (req) => {
        if (/You grade/.test(req.messages[0].content)) return { text: '{"pass":true,"score":1,"reason":"fine"}', model: req.provider === 'anthropic' ? 'claude-imposter-1' : undefined };
        return byInvoice(req);
      },
      models: { ...listed, anthropic: ['claude-haiku-4-5-20251001'] },
    });
    const config = configYaml(judged.openaiBaseURL)
      .replace('fast: openai:gpt-4o-mini', 'fast: openai:gpt-4o-mini\n  grader: anthropic:claude-haiku-4-5-20251001')
      .replace('providers:\n', `providers:\n  anthropic: { baseURL: ${judged.anthropicBaseURL}, apiKeyEnv: TEST_ANTHROPIC_KEY }\n`);
    const suite = 'suite: inv\nprompt: inv\ncases:\n  - id: power\n    vars: { text: power }\n    assert: [{ type: judge, rubric: "names a category", model: grader }]\n';
    const w = await pinned(judged, { 'aigov.yaml': config, 'evals/inv.yaml': suite });
    const r = await aigov(['eval', '--json'], { cwd: w.root });
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.totals).toMatchObject({ passed: 1, failed: 0 });
    expect(report.suites[0].modelMismatch).toEqual([{ model: 'grader', expected: 'claude-haiku-4-5-20251001', returned: 'claude-imposter-1', answers: 1 }]);
  });

  it('says "not locked yet" for a prompt the lock has never seen, not "edited since it was locked"', async () => {
    const w = await pinned(server);
    w.write('prompts/fresh.yaml', promptYaml('fresh'));
    w.write('evals/fresh.yaml', 'suite: fresh\nprompt: fresh\ncases:\n  - id: power\n    vars: { text: power }\n    expect: utilities\n');
    const r = await aigov(['eval', 'fresh'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('prompt "fresh" (version 1) is not locked yet; run `aigov pin` before merging');
    expect(r.stdout).not.toContain('edited since');
  });
});

describe('truncation', () => {
  it('marks an answer cut off at max_tokens, and the diff says so', async () => {
    const server = await serve({ enforceMaxTokens: true, answer: (req) => (/Invoice/.test(req.messages.at(-1)!.content) ? 'utilities and more words' : 'OK') });
    const w = await pinned(server, { 'prompts/inv.yaml': promptYaml('inv').replace('params: { temperature: 0 }', 'params: { temperature: 0, max_tokens: 2 }') }, { power: 'utilities and more words' });
    const r = await aigov(['eval'], { cwd: w.root });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('FAIL inv/power');
    expect(r.stdout).toContain('[- more words-]');
    expect(r.stdout).toContain('(truncated: the answer was cut off at the token limit (finish_reason: length / stop_reason: max_tokens))');
    const json = JSON.parse((await aigov(['eval', '--json'], { cwd: w.root })).stdout);
    expect(json.suites[0].cases[0].samples[0]).toMatchObject({ output: 'utilities and', truncated: true });
  });
});

describe('Anthropic answers', () => {
  it('count cache writes and reads as input, price each kind at its own rate, and are marked truncated at max_tokens', async () => {
    const server = await serve({ cachedTokens: { read: 300, write: 120 }, enforceMaxTokens: true, answer: (req) => (/Invoice: power/.test(req.messages.at(-1)!.content) ? 'utilities and more words' : 'travel') });
    const price = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
    const w = tempWorkspace({
      ...classifierFiles({ expect: { power: 'utilities and more words', flight: 'travel' } }),
      'aigov.yaml': `version: 1
models:
  fast: anthropic:claude-sonnet-4-5-20250929
providers:
  anthropic: { baseURL: ${server.anthropicBaseURL}, apiKeyEnv: TEST_ANTHROPIC_KEY }
pricing:
  claude-sonnet-4-5-20250929: { input: ${price.input}, output: ${price.output}, cacheRead: ${price.cacheRead}, cacheWrite: ${price.cacheWrite} }
defaults: { concurrency: 2, timeoutMs: 5000, retries: 0 }
`,
      'prompts/inv.yaml': promptYaml('inv').replace('params: { temperature: 0 }', 'params: { temperature: 0, max_tokens: 2 }'),
    });
    cleanups.push(w.cleanup);
    expect((await aigov(['pin'], { cwd: w.root })).exitCode).toBe(0);
    const [json, text] = await Promise.all([aigov(['eval', '--no-cache', '--json'], { cwd: w.root }), aigov(['eval', '--no-cache'], { cwd: w.root })]);
    expect(json.exitCode).toBe(1);
    type Sample = { output: string; truncated?: boolean; costUsd: number; tokens: { input: number; output: number; cacheRead?: number; cacheWrite?: number } };
    const samples = (JSON.parse(json.stdout).suites[0].cases as { id: string; samples: Sample[] }[]).map((c) => [c.id, c.samples[0]] as const);
    const sent = completions(server).filter((r) => /Invoice/.test(JSON.stringify(r.body.messages)));
    for (const [id, sample] of samples) {
      const words = id === 'power' ? 2 : 1;
      // input_tokens (what was neither read from nor written to the cache) + writes + reads
      expect(sample.tokens).toMatchObject({ output: words, cacheRead: 300, cacheWrite: 120 });
      const uncached = sample.tokens.input - 300 - 120;
      expect(uncached).toBeGreaterThan(0);
      expect(sample.costUsd).toBeCloseTo((uncached * price.input + 300 * price.cacheRead + 120 * price.cacheWrite + words * price.output) / 1e6, 12);
    }
    expect(Object.fromEntries(samples.map(([id, s]) => [id, [s.output, s.truncated ?? false]]))).toEqual({ power: ['utilities and', true], flight: ['travel', false] });
    expect(sent.every((r) => r.body.max_tokens === 2)).toBe(true);
    expect(text.stdout).toContain('FAIL inv/power');
    expect(text.stdout).toContain('(truncated: the answer was cut off at the token limit (finish_reason: length / stop_reason: max_tokens))');
  });
});

describe('what is sent', () => {
  const ticket = `id: ticket
version: 1
model: fast
messages:
  - role: system
    content: Answer with a JSON object.
  - role: user
    content: "Ticket: {{text}}"
vars:
  text: { type: string }
output:
  type: json
  schema: { type: object, required: [category], properties: { category: { type: string } } }
`;
  const suite = 'suite: ticket\nprompt: ticket\ncases:\n  - id: one\n    vars: { text: "charged twice" }\n    assert: [{ type: schema }]\n';

  it('exactly the prompt\'s messages, the schema as json_schema, falling back to json_object once a server refuses it', async () => {
    const server = await serve({ jsonSchema: 'refuse', answer: (req) => (/Ticket/.test(req.messages.at(-1)!.content) ? '{"category":"billing"}' : 'OK') });
    const w = await pinned(server, { 'prompts/ticket.yaml': ticket, 'evals/ticket.yaml': suite });
    const r = await aigov(['eval', 'ticket', '--repeat', '3', '--concurrency', '1'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('warning: openai: gpt-4o-mini-2024-07-18 does not take a JSON Schema as response_format; asking it for a JSON object instead');
    const sent = completions(server).filter((q) => /Ticket/.test(JSON.stringify(q.body.messages)));
    expect(sent.map((q) => q.body.response_format.type)).toEqual(['json_schema', 'json_object', 'json_object', 'json_object']);
    expect(sent[0].body.response_format.json_schema).toEqual({ name: 'ticket', schema: { type: 'object', required: ['category'], properties: { category: { type: 'string' } } } });
    for (const q of sent) {
      expect(q.body.messages).toEqual([
        { role: 'system', content: 'Answer with a JSON object.' },
        { role: 'user', content: 'Ticket: charged twice' },
      ]);
    }
    const quiet = await aigov(['eval', 'ticket', '--no-cache', '--quiet'], { cwd: w.root });
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  it('reads gzip-compressed answers, retrying a compressed 429', async () => {
    const server = await serve({ gzip: true, retryAfterSeconds: 0 });
    const w = await pinned(server);
    server.fail('429');
    const r = await aigov(['eval', '--no-cache', '--concurrency', '1'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
  });
});

describe('the API key', () => {
  it('is checked once per provider before anything is sent', async () => {
    const server = await serve();
    const w = await pinned(server);
    const before = completions(server).length;
    const r = await aigov(['eval', '--no-cache', '--repeat', '3'], { cwd: w.root, env: { TEST_OPENAI_KEY: '' } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr.match(/TEST_OPENAI_KEY is not set/g)).toHaveLength(1);
    expect(r.stderr).toContain('TEST_OPENAI_KEY is not set (provider "openai")');
    expect(r.stderr).toContain('`aigov eval --replay` needs no key');
    expect(r.stdout).not.toContain('ERROR inv/');
    expect(completions(server).length).toBe(before);
  });
});

describe('the SDKs print nothing of their own', () => {
  it("the Anthropic SDK's deprecation notice never reaches aigov's streams; aigov says it once, unless --quiet", async () => {
    const server = await serve();
    const files = {
      'aigov.yaml': configYaml(server.openaiBaseURL)
        .replace('fast: openai:gpt-4o-mini', 'fast: anthropic:claude-sonnet-4-5')
        .replace('providers:\n', `providers:\n  anthropic: { baseURL: ${server.anthropicBaseURL}, apiKeyEnv: TEST_ANTHROPIC_KEY }\n`),
    };
    const w = tempWorkspace({ ...classifierFiles({ baseURL: server.openaiBaseURL }), ...files });
    cleanups.push(w.cleanup);
    const pin = await aigov(['pin'], { cwd: w.root });
    expect(pin.exitCode).toBe(0);
    for (const r of [pin, await aigov(['eval', '--no-cache'], { cwd: w.root })]) {
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/Please migrate|docs\.anthropic\.com|The model '/);
      expect(r.stderr.match(/warning.*anthropic: model claude-sonnet-4-5-20250929 is deprecated and will reach end-of-life on November 30th, 2026/g)).toHaveLength(1);
    }
    const quiet = await aigov(['eval', '--no-cache', '--quiet'], { cwd: w.root });
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe('');
  });
});

describe.skipIf(process.platform === 'win32')('Ctrl-C with an exec provider', () => {
  // The first test's workspace (its files, for the second test to copy); removed after all.
  let root = '';
  let keep: (() => void) | undefined;
  afterAll(() => keep?.());
  it('the second Ctrl-C kills the command with its process group, even what ignores SIGTERM', async () => {
    const { execa } = await import('execa');
    // A house model that ignores SIGTERM and starts a child that does too, then hangs.
    const model = `const { spawn } = require('node:child_process');
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  if (!/Invoice/.test(req.messages.at(-1).content)) return process.stdout.write(JSON.stringify({ text: 'OK', model: 'house-1' }));
  process.on('SIGTERM', () => {});
  // The child says its pid once it ignores SIGTERM, so the test cannot signal it too early.
  spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); require('fs').writeFileSync('grandchild.pid', String(process.pid)); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
  setInterval(() => {}, 1000);
});
`;
    const w = tempWorkspace({
      ...classifierFiles(),
      'aigov.yaml': 'version: 1\nmodels:\n  fast: house:house-1\nproviders:\n  house: { type: exec, command: [node, model.cjs] }\ndefaults: { concurrency: 1, timeoutMs: 60000, retries: 0 }\n',
      'model.cjs': model,
    });
    root = w.root;
    expect((await aigov(['pin'], { cwd: w.root })).exitCode).toBe(0);
    const child = execa('node', [BIN, 'eval', '--no-cache'], { cwd: w.root, reject: false, env: { NO_COLOR: '1' } });
    const pidFile = join(w.root, 'grandchild.pid');
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    const alive = () => {
      try {
        process.kill(grandchild, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 500));
    // The first Ctrl-C asked politely; this command does not listen.
    expect(alive()).toBe(true);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    for (let i = 0; i < 100 && alive(); i++) await new Promise((res) => setTimeout(res, 50));
    expect(alive()).toBe(false);
  });

  it('a SIGTERM to aigov (a cancelled CI job) kills the command with its process group too', async () => {
    const { execa } = await import('execa');
    const w = tempWorkspace({ ...classifierFiles(), 'aigov.yaml': readFileSync(join(root, 'aigov.yaml'), 'utf8'), 'model.cjs': readFileSync(join(root, 'model.cjs'), 'utf8') });
    cleanups.push(w.cleanup);
    expect((await aigov(['pin'], { cwd: w.root })).exitCode).toBe(0);
    const child = execa('node', [BIN, 'eval', '--no-cache'], { cwd: w.root, reject: false, env: { NO_COLOR: '1' } });
    const pidFile = join(w.root, 'grandchild.pid');
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    child.kill('SIGTERM');
    const r = await child;
    expect(r.signal).toBe('SIGTERM');
    const alive = () => {
      try {
        process.kill(grandchild, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((res) => setTimeout(res, 50));
    expect(alive()).toBe(false);
  });
});
