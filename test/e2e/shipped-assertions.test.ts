// Every assertion type and its `not-` form through the shipped binary (bin/aigov.js,
// the esbuild bundle), each with a passing and a failing case, against the real
// wire-format model server. Tests of the sources never saw the bundle's
// `schema: Ajv is not a constructor`; these would have.
//
// One workspace: the passing cases are in `*-pass` suites (one run, exit 0), the
// failing ones in `*-fail` suites (one run, exit 1, every case named with its reason).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JUDGE_MAX_TOKENS } from '../../src/app/judge.js';
import { aigov, type CliResult } from '../support/cli.js';
import { startModelServer, type ModelServer, type ModelServerRequest } from '../support/model-server.mjs';
import { configYaml, promptYaml, tempWorkspace } from '../support/workspace.js';

/** The model's answer to `Q: <text>`. */
const ANSWERS: Record<string, string> = {
  greet: 'Hello, World!',
  slow: 'Hello, World!',
  ticket: '{"category": "billing", "n": 2}',
  valid: '{"category": "billing"}',
  extra: '{"category": "billing", "x": 1}',
  'dep-ok': '{"category": "billing", "n": 2}',
  'dep-missing': '{"n": 2}',
  'pair-ok': '{"pair": ["a", 1]}',
  'pair-bad': '{"pair": ["a", "b"]}',
};
const SLOW_MS = 150;

/** A judge that passes an output when it contains the word in quotes in the rubric. */
function judgeAnswer(req: ModelServerRequest): string {
  const [, rubric = '', output = ''] = /^Rubric:\n([\s\S]*?)\n\nOutput:\n([\s\S]*)$/.exec(req.messages.at(-1)!.content) ?? [];
  const word = /"([^"]+)"/.exec(rubric)?.[1] ?? '\u0000';
  const pass = output.includes(word);
  return JSON.stringify({ pass, score: pass ? 1 : 0, reason: pass ? `it says ${word}` : `it never says ${word}` });
}

async function answer(req: ModelServerRequest): Promise<string> {
  if (req.messages[0]?.content.startsWith('You grade')) return judgeAnswer(req);
  const text = /^Q: (.*)$/.exec(req.messages.at(-1)!.content)?.[1] ?? '';
  if (text === 'slow') await new Promise((r) => setTimeout(r, SLOW_MS));
  return ANSWERS[text] ?? `no answer for ${text}`;
}

type Assertion = Record<string, unknown> & { type: string };
interface Case {
  id: string;
  text: string;
  assert: Assertion;
  /** What the failing run prints for it. */
  reason?: RegExp;
}

const a = (type: string, args: Record<string, unknown> = {}): Assertion => ({ type, ...args });

// Every case is one assertion, so a failure names exactly one type.
const TEXT_PASS: Case[] = [
  { id: 'equals', text: 'greet', assert: a('equals', { value: 'Hello, World!' }) },
  { id: 'not-equals', text: 'greet', assert: a('not-equals', { value: 'Goodbye' }) },
  { id: 'contains', text: 'greet', assert: a('contains', { value: 'World' }) },
  { id: 'not-contains', text: 'greet', assert: a('not-contains', { value: 'moon' }) },
  { id: 'icontains', text: 'greet', assert: a('icontains', { value: 'WORLD' }) },
  { id: 'not-icontains', text: 'greet', assert: a('not-icontains', { value: 'MOON' }) },
  { id: 'starts-with', text: 'greet', assert: a('starts-with', { value: 'Hello' }) },
  { id: 'not-starts-with', text: 'greet', assert: a('not-starts-with', { value: 'World' }) },
  { id: 'regex', text: 'greet', assert: a('regex', { value: '^hello, \\w+!$', flags: 'i' }) },
  { id: 'not-regex', text: 'greet', assert: a('not-regex', { value: '\\d' }) },
  { id: 'is-json', text: 'ticket', assert: a('is-json') },
  { id: 'not-is-json', text: 'greet', assert: a('not-is-json') },
  { id: 'json', text: 'ticket', assert: a('json', { path: '/category', equals: 'billing' }) },
  { id: 'not-json', text: 'ticket', assert: a('not-json', { path: '/category', equals: 'bug' }) },
  { id: 'similar', text: 'greet', assert: a('similar', { value: 'Hello, World', threshold: 0.8 }) },
  { id: 'not-similar', text: 'greet', assert: a('not-similar', { value: 'Completely different', threshold: 0.8 }) },
  { id: 'max-latency-ms', text: 'greet', assert: a('max-latency-ms', { value: 30_000 }) },
  { id: 'not-max-latency-ms', text: 'slow', assert: a('not-max-latency-ms', { value: 100 }) },
  { id: 'max-cost', text: 'greet', assert: a('max-cost', { value: 0.01 }) },
  { id: 'not-max-cost', text: 'greet', assert: a('not-max-cost', { value: 0 }) },
  { id: 'max-tokens', text: 'greet', assert: a('max-tokens', { value: 1000 }) },
  { id: 'not-max-tokens', text: 'greet', assert: a('not-max-tokens', { value: 1 }) },
  { id: 'judge', text: 'greet', assert: a('judge', { model: 'grader', rubric: 'Says "Hello"' }) },
];

const TEXT_FAIL: Case[] = [
  { id: 'equals', text: 'greet', assert: a('equals', { value: 'Goodbye' }), reason: /equals: output "Hello, World!" differs from expected "Goodbye"/ },
  { id: 'not-equals', text: 'greet', assert: a('not-equals', { value: 'Hello, World!' }), reason: /not-equals: output equals "Hello, World!"/ },
  { id: 'contains', text: 'greet', assert: a('contains', { value: 'moon' }), reason: /contains: output does not contain "moon"/ },
  { id: 'not-contains', text: 'greet', assert: a('not-contains', { value: 'World' }), reason: /not-contains: output contains "World"/ },
  { id: 'icontains', text: 'greet', assert: a('icontains', { value: 'MOON' }), reason: /icontains: output does not contain "MOON" \(ignoring case\)/ },
  { id: 'not-icontains', text: 'greet', assert: a('not-icontains', { value: 'WORLD' }), reason: /not-icontains: output contains "WORLD" \(ignoring case\)/ },
  { id: 'starts-with', text: 'greet', assert: a('starts-with', { value: 'World' }), reason: /starts-with: output does not start with "World"/ },
  { id: 'not-starts-with', text: 'greet', assert: a('not-starts-with', { value: 'Hello' }), reason: /not-starts-with: output starts with "Hello"/ },
  { id: 'regex', text: 'greet', assert: a('regex', { value: '\\d' }), reason: /regex: output does not match \/\\d\// },
  { id: 'not-regex', text: 'greet', assert: a('not-regex', { value: 'World' }), reason: /not-regex: output matches \/World\// },
  { id: 'is-json', text: 'greet', assert: a('is-json'), reason: /is-json: .*JSON/ },
  { id: 'not-is-json', text: 'ticket', assert: a('not-is-json'), reason: /not-is-json: output is JSON/ },
  { id: 'json', text: 'ticket', assert: a('json', { path: '/category', equals: 'bug' }), reason: /json: \/category is "billing", expected "bug"/ },
  { id: 'not-json', text: 'ticket', assert: a('not-json', { path: '/category', equals: 'billing' }), reason: /not-json: \/category equals "billing"/ },
  { id: 'similar', text: 'greet', assert: a('similar', { value: 'Completely different', threshold: 0.8 }), reason: /similar: similarity 0\.\d+ < 0\.8 to "Completely different"/ },
  { id: 'not-similar', text: 'greet', assert: a('not-similar', { value: 'Hello, World', threshold: 0.8 }), reason: /not-similar: similarity 0\.\d+ >= 0\.8 to "Hello, World"/ },
  { id: 'max-latency-ms', text: 'slow', assert: a('max-latency-ms', { value: 100 }), reason: /max-latency-ms: latency \d+ ms exceeds 100 ms/ },
  { id: 'not-max-latency-ms', text: 'greet', assert: a('not-max-latency-ms', { value: 30_000 }), reason: /not-max-latency-ms: latency \d+ ms is within 30000 ms/ },
  { id: 'max-cost', text: 'greet', assert: a('max-cost', { value: 0 }), reason: /max-cost: cost \$[\d.e-]+ exceeds \$0/ },
  { id: 'not-max-cost', text: 'greet', assert: a('not-max-cost', { value: 0.01 }), reason: /not-max-cost: cost \$[\d.e-]+ is within \$0\.01/ },
  { id: 'max-tokens', text: 'greet', assert: a('max-tokens', { value: 1 }), reason: /max-tokens: \d+ tokens \(\d+ in, \d+ out\) exceeds 1/ },
  { id: 'not-max-tokens', text: 'greet', assert: a('not-max-tokens', { value: 1000 }), reason: /not-max-tokens: \d+ tokens \(\d+ in, \d+ out\) is within 1000/ },
  { id: 'judge', text: 'greet', assert: a('judge', { model: 'grader', rubric: 'Says "Goodbye"' }), reason: /judge: judged by "grader": it never says Goodbye/ },
];

// One JSON prompt per draft. Each failing `schema` case is valid under the other
// drafts (the keyword it breaks is unknown to them), so it proves which draft ran.
const DRAFTS = {
  schema7: { schema: '{ type: object, required: [category], properties: { category: { enum: [billing, bug] } }, additionalProperties: false }', ok: 'valid', bad: 'extra', why: /must NOT have additional properties/ },
  schema2019: {
    schema: '{ $schema: "https://json-schema.org/draft/2019-09/schema", type: object, dependentRequired: { n: [category] } }',
    ok: 'dep-ok',
    bad: 'dep-missing',
    why: /must have property category when property n is present/,
  },
  schema2020: {
    schema: '{ $schema: "https://json-schema.org/draft/2020-12/schema", type: object, properties: { pair: { type: array, prefixItems: [{ type: string }, { type: number }] } } }',
    ok: 'pair-ok',
    bad: 'pair-bad',
    why: /\/pair\/1 must be number/,
  },
};
const schemaCases = (d: (typeof DRAFTS)[keyof typeof DRAFTS]): { pass: Case[]; fail: Case[] } => ({
  pass: [
    { id: 'schema', text: d.ok, assert: a('schema') },
    { id: 'not-schema', text: d.bad, assert: a('not-schema') },
  ],
  fail: [
    { id: 'schema', text: d.bad, assert: a('schema'), reason: new RegExp(`schema: output does not match the output schema: .*${d.why.source}`) },
    { id: 'not-schema', text: d.ok, assert: a('not-schema'), reason: /not-schema: output matches the output schema/ },
  ],
});

const HEADER_LINES = 3;
/** A suite with one case per line, so the line of case i is HEADER_LINES + 1 + i. */
function suiteYaml(suite: string, prompt: string, cases: Case[]): string {
  const lines = cases.map((c) => `  - { id: ${c.id}, vars: { text: ${c.text} }, assert: [${JSON.stringify(c.assert)}] }`);
  return `suite: ${suite}\nprompt: ${prompt}\ncases:\n${lines.join('\n')}\n`;
}

const SUITES: Record<string, { prompt: string; cases: Case[] }> = {
  'text-pass': { prompt: 'text', cases: TEXT_PASS },
  'text-fail': { prompt: 'text', cases: TEXT_FAIL },
};
const prompts: Record<string, string> = { 'prompts/text.yaml': promptYaml('text', { user: 'Q: {{text}}' }) };
for (const [name, d] of Object.entries(DRAFTS)) {
  const { pass, fail } = schemaCases(d);
  SUITES[`${name}-pass`] = { prompt: name, cases: pass };
  SUITES[`${name}-fail`] = { prompt: name, cases: fail };
  prompts[`prompts/${name}.yaml`] = promptYaml(name, { user: 'Q: {{text}}', output: `{ type: json, schema: ${d.schema} }` });
}
const PASS = Object.keys(SUITES).filter((s) => s.endsWith('-pass'));
const FAIL = Object.keys(SUITES).filter((s) => s.endsWith('-fail'));

let server: ModelServer;
let w: ReturnType<typeof tempWorkspace>;
let passRun: CliResult;
let failRun: CliResult;
let failReport: { suites: { suite: string; cases: { id: string; status: string; samples: { assertions: { type: string; pass: boolean }[] }[] }[] }[] };

beforeAll(async () => {
  server = await startModelServer({ aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18', 'gpt-4o': 'gpt-4o-2024-08-06' }, answer });
  const config = configYaml(server.openaiBaseURL, '{ concurrency: 8, timeoutMs: 10000, retries: 0 }').replace('  fast: openai:gpt-4o-mini\n', '  fast: openai:gpt-4o-mini\n  grader: openai:gpt-4o\n');
  w = tempWorkspace({
    'aigov.yaml': config,
    ...prompts,
    ...Object.fromEntries(Object.entries(SUITES).map(([s, { prompt, cases }]) => [`evals/${s}.yaml`, suiteYaml(s, prompt, cases)])),
  });
  const pin = await aigov(['pin'], { cwd: w.root });
  if (pin.exitCode !== 0) throw new Error(`pin failed (${pin.exitCode}): ${pin.stderr}`);
  [passRun, failRun] = await Promise.all([
    aigov(['eval', '--no-cache', ...PASS], { cwd: w.root, env: { CI: 'true' } }),
    aigov(['eval', '--no-cache', '-o', 'fail.json', ...FAIL], { cwd: w.root, env: { CI: 'true' } }),
  ]);
  failReport = JSON.parse(readFileSync(join(w.root, 'fail.json'), 'utf8'));
});
afterAll(async () => {
  w?.cleanup();
  await server?.close();
});

describe('every assertion through the shipped binary', () => {
  it('the passing cases pass: exit 0, every suite at 100%, nothing on stderr', () => {
    expect(passRun.stderr).toBe('');
    expect(passRun.exitCode).toBe(0);
    for (const s of PASS) expect(passRun.stdout).toMatch(new RegExp(`│ ${s}\\s+│ ${SUITES[s].cases.length}\\s+│ ${SUITES[s].cases.length}\\s+│ 0\\s+│ 0\\s+│ 100%`));
    expect(passRun.stdout).not.toMatch(/FAIL|ERROR/);
  });

  it('covers every assertion type and every not- form, judge without one', () => {
    const types = new Set(Object.values(SUITES).flatMap((s) => s.cases.map((c) => c.assert.type)));
    const base = ['equals', 'contains', 'icontains', 'starts-with', 'regex', 'is-json', 'json', 'schema', 'similar', 'max-latency-ms', 'max-cost', 'max-tokens'];
    expect([...types].sort()).toEqual([...base, ...base.map((t) => `not-${t}`), 'judge'].sort());
  });

  it('the failing cases fail (exit 1, not 3 or 70), each as a deviation, never an error', () => {
    expect(failRun.exitCode).toBe(1);
    for (const s of FAIL) {
      const suite = failReport.suites.find((x) => x.suite === s)!;
      expect(suite.cases.map((c) => [c.id, c.status])).toEqual(SUITES[s].cases.map((c) => [c.id, 'fail']));
      for (const c of suite.cases) expect(c.samples[0].assertions.map((x) => [x.type, x.pass])).toEqual([[SUITES[s].cases.find((k) => k.id === c.id)!.assert.type, false]]);
    }
  });

  const failing = FAIL.flatMap((s) => SUITES[s].cases.map((c, i) => [`${s}/${c.id}`, s, c, i] as const));
  it.each(failing)('prints %s with its line and reason', (_name, suite, c, i) => {
    const block = failRun.stdout.split(/\n(?=FAIL |ERROR )/).find((b) => b.startsWith(`FAIL ${suite}/${c.id} `));
    expect(block, `no FAIL block for ${suite}/${c.id} in:\n${failRun.stdout}`).toBeDefined();
    expect(block!.split('\n')[0]).toMatch(new RegExp(`^FAIL ${suite}/${c.id}\\s+evals/${suite}\\.yaml:${HEADER_LINES + 1 + i}$`));
    expect(block).toMatch(c.reason!);
  });

  it('a judge call bounds its answer: max_tokens set, temperature 0, on the judge model', () => {
    const judged = server.requests.filter((r) => r.path.endsWith('/chat/completions') && JSON.stringify(r.body.messages).includes('You grade'));
    // One judge case passes, one fails.
    expect(judged).toHaveLength(2);
    for (const r of judged) expect(r.body).toMatchObject({ model: 'gpt-4o-2024-08-06', max_tokens: JUDGE_MAX_TOKENS, temperature: 0 });
    expect(JUDGE_MAX_TOKENS).toBeGreaterThan(0);
    expect(JUDGE_MAX_TOKENS).toBeLessThanOrEqual(1024);
  });

  it('the summary counts every failing case', () => {
    for (const s of FAIL) expect(failRun.stdout).toMatch(new RegExp(`│ ${s}\\s+│ ${SUITES[s].cases.length}\\s+│ 0\\s+│ ${SUITES[s].cases.length}\\s+│ 0\\s+│ 0%`));
  });
});
