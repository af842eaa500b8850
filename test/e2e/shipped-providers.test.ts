// Every provider through the shipped binary: openai and anthropic against the
// real wire-format model server (through the real SDKs as bundled), exec against
// a command, and --record / --replay over all three. Each one passes a suite,
// and a failing provider is an infrastructure failure (exit 3), not a deviation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aigov } from '../support/cli.js';
import { startModelServer, type ModelServer, type ReceivedRequest } from '../support/model-server.mjs';
import { promptYaml, tempWorkspace } from '../support/workspace.js';

const PROVIDERS = ['openai', 'anthropic', 'exec'] as const;
type Provider = (typeof PROVIDERS)[number];
const SAYS: Record<Provider, string> = { openai: 'openai says', anthropic: 'anthropic says', exec: 'house says' };

const HOUSE = `// The house model: logs each request, answers "house says <q>".
import { appendFileSync } from 'node:fs';
let s = '';
for await (const c of process.stdin) s += c;
const req = JSON.parse(s);
appendFileSync('house-calls.jsonl', JSON.stringify(req) + '\\n');
if (process.env.HOUSE_FAIL) {
  console.error('house is down');
  process.exit(1);
}
const q = /^Q: (.*)$/.exec(req.messages.at(-1).content)?.[1] ?? '';
console.log(JSON.stringify({ text: 'house says ' + q, model: 'house-1', tokens: { input: 3, output: 3 } }));
`;

function config(server: ModelServer): string {
  return `version: 1
models:
  gpt: openai:gpt-4o-mini
  claude: anthropic:claude-haiku-4-5
  house: house:house-1
providers:
  openai: { baseURL: ${server.openaiBaseURL}, apiKeyEnv: TEST_OPENAI_KEY }
  anthropic: { baseURL: ${server.anthropicBaseURL}, apiKeyEnv: TEST_ANTHROPIC_KEY }
  house: { type: exec, command: [node, house.mjs] }
pricing:
  gpt-4o-mini-2024-07-18: { input: 0.15, output: 0.60 }
  claude-haiku-4-5-20251001: { input: 1.00, output: 5.00 }
  house-1: { input: 1.00, output: 1.00 }
defaults: { concurrency: 4, timeoutMs: 10000, retries: 0 }
`;
}

const MODEL: Record<Provider, string> = { openai: 'gpt', anthropic: 'claude', exec: 'house' };
const CASES = ['hi', 'bye'];

function suite(p: Provider): string {
  return `suite: s-${p}\nprompt: p-${p}\ncases:\n${CASES.map((q) => `  - { id: ${q}, vars: { text: ${q} }, expect: "${SAYS[p]} ${q}" }\n`).join('')}`;
}

let server: ModelServer;
let w: ReturnType<typeof tempWorkspace>;
const cli = (args: string[], env: Record<string, string | undefined> = {}) => aigov(args, { cwd: w.root, env: { CI: 'true', ...env } });
const houseCalls = (): { model: string; messages: { role: string; content: string }[]; params: Record<string, unknown> }[] =>
  readFileSync(join(w.root, 'house-calls.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const completions = (provider: 'openai' | 'anthropic', since = 0): ReceivedRequest[] =>
  server.requests.slice(since).filter((r) => r.provider === provider && /\/(chat\/completions|messages)$/.test(r.path));

interface Report {
  mode: string;
  suites: { suite: string; model: { resolved: string }; totals: { passed: number; costUsd: number | null; tokens: { input: number; output: number } }; cases: { samples: { source?: string; modelReturned?: string | null; output?: string }[] }[] }[];
}

beforeAll(async () => {
  server = await startModelServer({
    aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18', 'claude-haiku-4-5': 'claude-haiku-4-5-20251001' },
    answer: (req) => `${req.provider} says ${/^Q: (.*)$/.exec(req.messages.at(-1)!.content)?.[1] ?? ''}`,
  });
  w = tempWorkspace({
    'aigov.yaml': config(server),
    'house.mjs': HOUSE,
    ...Object.fromEntries(PROVIDERS.flatMap((p) => [
      [`prompts/p-${p}.yaml`, promptYaml(`p-${p}`, { user: 'Q: {{text}}' }).replace('model: fast', `model: ${MODEL[p]}`)],
      [`evals/s-${p}.yaml`, suite(p)],
    ])),
  });
  const pin = await cli(['pin']);
  if (pin.exitCode !== 0) throw new Error(`pin failed (${pin.exitCode}): ${pin.stderr}`);
});
afterAll(async () => {
  w?.cleanup();
  await server?.close();
});
afterEach(() => server.clearFaults());

describe('every provider through the shipped binary', () => {
  it('pins each model: the dated snapshot the API lists, or what the command reports', () => {
    const lock = readFileSync(join(w.root, 'aigov.lock'), 'utf8');
    expect(lock).toContain('resolved: openai:gpt-4o-mini-2024-07-18');
    expect(lock).toContain('resolved: anthropic:claude-haiku-4-5-20251001');
    expect(lock).toContain('resolved: house:house-1');
  });

  it('passes a suite on each provider (exit 0), with tokens and cost from each answer', async () => {
    const before = server.requests.length;
    const r = await cli(['eval', '--no-cache', '--json']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.mode).toBe('live');
    for (const p of PROVIDERS) {
      const s = report.suites.find((x) => x.suite === `s-${p}`)!;
      expect(s.totals.passed).toBe(CASES.length);
      expect(s.totals.tokens.input).toBeGreaterThan(0);
      expect(s.totals.tokens.output).toBeGreaterThan(0);
      expect(s.totals.costUsd).toBeGreaterThan(0);
      expect(s.cases.map((c) => c.samples[0].output).sort()).toEqual(CASES.map((q) => `${SAYS[p]} ${q}`).sort());
    }
    expect(report.suites.find((x) => x.suite === 's-openai')!.cases[0].samples[0].modelReturned).toBe('gpt-4o-mini-2024-07-18');
    expect(report.suites.find((x) => x.suite === 's-anthropic')!.cases[0].samples[0].modelReturned).toBe('claude-haiku-4-5-20251001');
    expect(report.suites.find((x) => x.suite === 's-exec')!.cases[0].samples[0].modelReturned).toBe('house-1');
    expect(completions('openai', before)).toHaveLength(CASES.length);
    expect(completions('anthropic', before)).toHaveLength(CASES.length);
  });

  it('speaks each wire format: the OpenAI chat completion, the Anthropic message, JSON on the command’s stdin', async () => {
    const before = server.requests.length;
    expect((await cli(['eval', '--no-cache', 's-openai', 's-anthropic', 's-exec'])).exitCode).toBe(0);
    const [o] = completions('openai', before);
    expect(o.path).toBe('/openai/v1/chat/completions');
    expect(o.headers.authorization).toBe('Bearer sk-test');
    expect(o.body).toMatchObject({ model: 'gpt-4o-mini-2024-07-18', temperature: 0, messages: [{ role: 'system', content: 'One word.' }, { role: 'user' }] });
    const [a] = completions('anthropic', before);
    expect(a.path).toBe('/anthropic/v1/messages');
    // The SDK sends the key as x-api-key or (from 1.x) as a bearer token.
    expect(`${a.headers['x-api-key'] ?? ''} ${a.headers.authorization ?? ''}`).toMatch(/(^| |Bearer )sk-ant-test( |$)/);
    expect(a.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(a.body).toMatchObject({ model: 'claude-haiku-4-5-20251001', temperature: 0, messages: [{ role: 'user' }] });
    expect(JSON.stringify(a.body.system)).toContain('One word.');
    expect(a.body.max_tokens).toBeGreaterThan(0);
    const h = houseCalls().at(-1)!;
    expect(h).toMatchObject({ model: 'house-1', messages: [{ role: 'system', content: 'One word.' }, { role: 'user' }], params: { temperature: 0 } });
  });

  it.each([
    ['openai', 's-openai', (): void => server.fail('500', 10), {}, /ERROR s-openai\/hi {2}evals\/s-openai\.yaml:4\n {2}.*HTTP 500/],
    ['anthropic', 's-anthropic', (): void => server.fail('401', 10), {}, /ERROR s-anthropic\/hi {2}evals\/s-anthropic\.yaml:4\n {2}.*(credentials|auth).*HTTP 401/i],
    ['exec', 's-exec', (): void => undefined, { HOUSE_FAIL: '1' }, /ERROR s-exec\/hi {2}evals\/s-exec\.yaml:4\n {2}.*`node house\.mjs` exited with code 1: house is down/],
  ] as const)('a failing %s provider is exit 3 and names the case', async (_p, s, fault, env, printed) => {
    fault();
    const r = await cli(['eval', '--no-cache', s], env);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(printed);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--record calls every provider and writes fixtures; --replay answers from them with no server, key or command', async () => {
    const rec = await cli(['eval', '--record', '--json']);
    expect(rec.exitCode).toBe(0);
    expect((JSON.parse(rec.stdout) as Report).mode).toBe('record');
    for (const p of PROVIDERS) {
      const fixture = readFileSync(join(w.root, `fixtures/p-${p}.yaml`), 'utf8');
      expect(fixture).toContain('recordings:');
      for (const q of CASES) expect(fixture).toContain(`text: ${SAYS[p]} ${q}`);
    }

    const requests = server.requests.length;
    const calls = houseCalls().length;
    // No keys, a house model that would fail, and a server that would refuse: only the fixtures can answer.
    server.fail('500', 100);
    const r = await cli(['eval', '--replay', '--no-cache', '--json'], { TEST_OPENAI_KEY: undefined, TEST_ANTHROPIC_KEY: undefined, HOUSE_FAIL: '1' });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.mode).toBe('replay');
    for (const s of report.suites) {
      expect(s.totals.passed).toBe(CASES.length);
      expect(s.cases.every((c) => c.samples[0].source === 'replay')).toBe(true);
    }
    expect(server.requests.length).toBe(requests);
    expect(houseCalls().length).toBe(calls);
  });

  it('--replay fails clearly (exit 3) on a request that was never recorded', async () => {
    w.write('evals/s-anthropic.yaml', suite('anthropic').replace('vars: { text: bye }', 'vars: { text: later }'));
    try {
      const r = await cli(['eval', '--replay', 's-anthropic'], { TEST_ANTHROPIC_KEY: undefined });
      expect(r.exitCode).toBe(3);
      expect(r.stdout).toMatch(/ERROR s-anthropic\/bye[\s\S]*no recording for prompt "p-anthropic" \(anthropic claude-haiku-4-5-20251001, sample 0\) in fixtures\/p-anthropic\.yaml/);
    } finally {
      w.write('evals/s-anthropic.yaml', suite('anthropic'));
    }
  });
});
