import { describe, expect, it } from 'vitest';
import { buildWorkspace } from '../workspace/build.js';
import { MAX_PLANNED_SAMPLES, planEval, type PlanOptions } from './plan.js';

const CONFIG = 'version: 1\nmodels:\n  fast: openai:gpt-4o-mini\n';
const PROMPT = (id: string): string => `id: ${id}\nversion: 1\nmodel: fast\nmessages:\n  - role: user\n    content: "{{text}}"\nvars:\n  text: { type: string }\n`;
const SUITE = (id: string, cases: number, repeat: number): string =>
  `suite: ${id}\nprompt: ${id}\nrepeat: ${repeat}\ncases:\n${Array.from({ length: cases }, (_, i) => `  - { id: c${i}, vars: { text: t${i} }, expect: x }\n`).join('')}`;

/** Two suites, `a` and `b`, of `cases` cases each at `repeat` samples. */
function workspace(cases: number, repeat: number) {
  const files = { 'aigov.yaml': CONFIG, 'prompts/a.yaml': PROMPT('a'), 'prompts/b.yaml': PROMPT('b'), 'evals/a.yaml': SUITE('a', cases, repeat), 'evals/b.yaml': SUITE('b', cases, repeat) };
  const ws = buildWorkspace('/ws', Object.entries(files).map(([path, text]) => ({ path, text })));
  expect(ws.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return ws;
}

const samples = (plan: ReturnType<typeof planEval>): number => plan.suites.reduce((n, s) => n + s.cases.reduce((m, c) => m + c.samples, 0), 0);

describe('planEval: limits', () => {
  const half = MAX_PLANNED_SAMPLES / 2 / 100; // cases per suite at repeat 100 that fill the budget exactly

  it.each<[string, number, number, PlanOptions, number | string]>([
    ['exactly the budget, over two suites', half, 100, {}, MAX_PLANNED_SAMPLES],
    ['one case over it, counted over all suites', half + 1, 100, {}, `the run would make ${MAX_PLANNED_SAMPLES + 200} case samples (cases × repeats over all suites); the limit is ${MAX_PLANNED_SAMPLES}`],
    ['over it through --repeat', half + 1, 1, { repeat: 100 }, 'the limit is 100000'],
    ['one suite of two fits', half + 1, 100, { suites: ['a'] }, (half + 1) * 100],
    ['a shard fits', half + 1, 100, { shard: { index: 1, count: 2 } }, MAX_PLANNED_SAMPLES / 2 + 100],
    ['repeat above the suite file limit', 1, 1, { repeat: 101 }, 'repeat 101: expected a whole number from 1 to 100'],
    ['repeat that is not whole', 1, 1, { repeat: 1.5 }, 'repeat 1.5: expected a whole number from 1 to 100'],
    ['repeat 1e9', 1, 1, { repeat: 1e9 }, 'repeat 1000000000: expected a whole number from 1 to 100'],
    ['repeat 0', 1, 1, { repeat: 0 }, 'expected a whole number from 1 to 100'],
  ])('%s', (_name, cases, repeat, opts, want) => {
    const ws = workspace(cases, repeat);
    const plan = (): ReturnType<typeof planEval> => planEval(ws, { unlocked: true, ...opts });
    if (typeof want === 'number') expect(samples(plan())).toBe(want);
    else expect(plan).toThrow(want);
  });

  it('refuses with a stable code and a hint, exit 2', () => {
    const ws = workspace(half + 1, 100);
    try {
      planEval(ws, { unlocked: true });
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'E_PLAN_TOO_LARGE', exitCode: 2, hint: expect.stringContaining('--shard') });
    }
  });
});
