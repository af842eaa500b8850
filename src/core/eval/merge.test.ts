import { describe, expect, it } from 'vitest';
import { AigovError } from '../../errors.js';
import { buildWorkspace } from '../workspace/build.js';
import { mergeShardReports, type ShardInput } from './merge.js';
import { planEval } from './plan.js';
import { checkReport } from './report-schema.js';
import { exitCodeOf, mergeTotals, REPORT_VERSION, suiteTotals, type CaseResult, type EvalReport, type SuiteResult } from './report.js';

const prompt = (id: string) => `id: ${id}\nversion: 1\nmodel: fast\nmessages: [{ role: user, content: "{{text}}" }]\nvars: { text: { type: string } }\n`;
const suite = (id: string, cases: string[]) => `suite: ${id}\nprompt: ${id}\ncases:\n${cases.map((c) => `  - { id: ${c}, vars: { text: ${c} }, expect: ok }\n`).join('')}`;

/** Two suites, 4 and 3 cases: 7 cases dealt over the shards across the suite boundary. */
const ws = buildWorkspace('/ws', [
  { path: 'aigov.yaml', text: 'version: 1\nmodels: { fast: openai:gpt-4o-mini }\n' },
  { path: 'prompts/a.yaml', text: prompt('a') },
  { path: 'prompts/b.yaml', text: prompt('b') },
  { path: 'evals/a.yaml', text: suite('a', ['a1', 'a2', 'a3', 'a4']) },
  { path: 'evals/b.yaml', text: suite('b', ['b1', 'b2', 'b3']) },
]);

/** A case's result: fails when its id is in `failing`, with tokens and cost so totals can be compared. */
function result(id: string, failing: ReadonlySet<string>): CaseResult {
  const pass = !failing.has(id);
  return {
    id,
    status: pass ? 'pass' : 'fail',
    ...(pass ? {} : { line: 3 }),
    samples: [{ sample: 0, output: pass ? 'ok' : 'nope', pass, assertions: [{ type: 'equals', pass, score: pass ? 1 : 0, reason: '' }], tokens: { input: 10, output: 1 }, costUsd: 0.001, latencyMs: 5 }],
  };
}

/** What `aigov eval [--shard i/n]` would report on `ws`, every case answered alike. */
function report(shard: { index: number; count: number } | undefined, failing: ReadonlySet<string> = new Set(), over: Partial<EvalReport> = {}): EvalReport {
  const plan = planEval(ws, { shard, unlocked: true });
  const suites: SuiteResult[] = plan.suites.map((s) => {
    const cases = s.cases.map((c) => result(c.case.id, failing));
    return {
      suite: s.suite.suite,
      file: s.file,
      prompt: { id: s.prompt.id, version: 1, sha256: s.promptSha256, editedSinceLock: true },
      model: { name: 'fast', requested: s.model.requested, resolved: s.model.resolved, locked: false },
      requiredPassRate: 1,
      outputType: 'text',
      cases,
      totals: suiteTotals(cases, 100 * (shard?.index ?? 1)),
    };
  });
  return {
    version: REPORT_VERSION,
    startedAt: `2026-01-01T00:00:0${shard?.index ?? 0}.000Z`,
    durationMs: 100 * (shard?.index ?? 1),
    mode: 'replay',
    unlocked: true,
    interrupted: false,
    shard,
    commit: 'c0ffee',
    dirty: false,
    lockSha256: 'ab'.repeat(32),
    warnings: ['UNLOCKED: one warning every shard repeats'],
    suites,
    totals: mergeTotals(suites, 100),
    ...over,
  };
}

const shards = (n: number, failing?: Set<string>): ShardInput[] => Array.from({ length: n }, (_, i) => ({ file: `shard-${i + 1}.json`, report: report({ index: i + 1, count: n }, failing) }));

function refusal(inputs: ShardInput[]): { code: string; exitCode: number; message: string } {
  try {
    mergeShardReports(inputs);
  } catch (err) {
    if (err instanceof AigovError) return { code: err.code, exitCode: err.exitCode, message: err.message };
    throw err;
  }
  throw new Error('merged');
}

describe('mergeShardReports', () => {
  it.each([1, 2, 3, 5, 7, 9])('%i shards merge to what one run reports: the same cases in the same order, the same totals and exit code', (n) => {
    const failing = new Set(['a3', 'b2']);
    const one = report(undefined, failing);
    const merged = mergeShardReports(shards(n, failing));
    expect(merged.suites.map((s) => s.cases)).toEqual(one.suites.map((s) => s.cases));
    expect(merged.suites.map((s) => ({ ...s.totals, durationMs: 0 }))).toEqual(one.suites.map((s) => ({ ...s.totals, durationMs: 0 })));
    expect({ ...merged.totals, durationMs: 0 }).toEqual({ ...one.totals, durationMs: 0 });
    expect(exitCodeOf(merged)).toBe(1);
    expect(merged.shard).toBeUndefined();
    expect(merged.commit).toBe('c0ffee');
    expect(merged.warnings).toEqual(['UNLOCKED: one warning every shard repeats']);
    // Shards run side by side: the merged run took as long as the slowest.
    expect(merged.durationMs).toBe(100 * n);
    expect(merged.startedAt).toBe('2026-01-01T00:00:01.000Z');
    expect(checkReport(JSON.parse(JSON.stringify(merged)))).toEqual({ report: merged });
  });

  it('does not depend on the order the files are given in', () => {
    const list = shards(3);
    expect(mergeShardReports([list[2], list[0], list[1]])).toEqual(mergeShardReports(list));
  });

  it('a passing set of shards exits 0; a warning about uncommitted changes is added when a shard was dirty', () => {
    const list = shards(2);
    expect(exitCodeOf(mergeShardReports(list))).toBe(0);
    list[1].report = { ...list[1].report, dirty: true };
    const merged = mergeShardReports(list);
    expect(merged.dirty).toBe(true);
    expect(merged.warnings.at(-1)).toMatch(/uncommitted changes .* commit c0ffee/);
  });

  it('merges what the answers reported: the ids seen and the answers from another model, so a mismatch in any shard fails the merged gate', () => {
    const list = shards(3).map((s) => ({ ...s, report: { ...s.report, suites: s.report.suites.map((x) => ({ ...x, model: { ...x.model, served: 'gpt-4o-mini-2024-07-18', returned: ['gpt-4o-mini-2024-07-18'] } })) } }));
    const odd = (i: number, returned: string, answers: number) => {
      const r = list[i].report;
      list[i].report = { ...r, suites: r.suites.map((x, j) => (j ? x : { ...x, model: { ...x.model, returned: [...x.model.returned!, returned].sort() }, modelMismatch: [{ model: 'fast', expected: 'gpt-4o-mini-2024-07-18', returned, answers }] })) };
    };
    expect(exitCodeOf(mergeShardReports(list))).toBe(0);
    expect(mergeShardReports(list).suites[0].modelMismatch).toBeUndefined();
    odd(1, 'gpt-4o-mini-2025-01-01', 1);
    odd(2, 'gpt-4o-mini-2025-01-01', 2);
    const merged = mergeShardReports(list);
    expect(merged.suites[0].modelMismatch).toEqual([{ model: 'fast', expected: 'gpt-4o-mini-2024-07-18', returned: 'gpt-4o-mini-2025-01-01', answers: 3 }]);
    expect(merged.suites[0].model.returned).toEqual(['gpt-4o-mini-2024-07-18', 'gpt-4o-mini-2025-01-01']);
    expect(merged.suites[1].modelMismatch).toBeUndefined();
    expect(exitCodeOf(merged)).toBe(1);
  });

  it.each([
    ['a missing shard', () => shards(3).slice(0, 2), 'E_MERGE_SHARD_MISSING', /^shard 3\/3 missing/],
    ['two missing shards', () => shards(4).filter((s) => s.report.shard!.index % 2), 'E_MERGE_SHARD_MISSING', /^shards 2\/4, 4\/4 missing/],
    ['a shard given twice', () => [...shards(2), { ...shards(2)[0], file: 'copy.json' }], 'E_MERGE_SHARD_DUPLICATE', /^shard 1\/2 is given 2 times \(shard-1\.json, copy\.json\)/],
    ['different commits', () => shards(2).map((s, i) => ({ ...s, report: { ...s.report, commit: i ? 'beef' : 'c0ffee' } })), 'E_MERGE_COMMIT_MISMATCH', /different commits: shard-1\.json: c0ffee; shard-2\.json: beef/],
    ['a commit against none', () => shards(2).map((s, i) => ({ ...s, report: { ...s.report, commit: i ? null : 'c0ffee' } })), 'E_MERGE_COMMIT_MISMATCH', /shard-2\.json: none \(not in git\)/],
    ['different locks', () => shards(2).map((s, i) => ({ ...s, report: { ...s.report, lockSha256: i ? 'cd'.repeat(32) : 'ab'.repeat(32) } })), 'E_MERGE_LOCK_MISMATCH', /different aigov\.lock files/],
    ['different shard counts', () => [shards(2)[0], shards(3)[1], shards(3)[2]], 'E_MERGE_MISMATCH', /shard count/],
    ['different modes', () => shards(2).map((s, i) => ({ ...s, report: { ...s.report, mode: i ? ('live' as const) : ('replay' as const) } })), 'E_MERGE_MISMATCH', /different modes/],
    ['a report that is no shard', () => [{ file: 'full.json', report: report(undefined) }], 'E_MERGE_BAD_REPORT', /^full\.json is not the report of a shard/],
    ['an interrupted shard', () => shards(2).map((s, i) => ({ ...s, report: { ...s.report, interrupted: i === 1 } })), 'E_MERGE_BAD_REPORT', /shard 2\/2 was interrupted/],
    ['a report without commit and lock', () => shards(2).map((s) => ({ ...s, report: { ...s.report, commit: undefined } })), 'E_MERGE_BAD_REPORT', /does not say which commit and lock/],
    ['nothing', () => [], 'E_USAGE', /at least one report/],
    [
      'a shard with a case taken out',
      () => shards(2).map((s, i) => (i ? s : { ...s, report: { ...s.report, suites: s.report.suites.map((x, j) => (j ? x : { ...x, cases: x.cases.slice(1) })) } })),
      'E_MERGE_MISMATCH',
      /not dealt as one run's shards would be/,
    ],
    ['a suite with another prompt', () => shards(2).map((s, i) => (i ? { ...s, report: { ...s.report, suites: s.report.suites.map((x) => ({ ...x, prompt: { ...x.prompt, sha256: 'f'.repeat(64) } })) } } : s)), 'E_MERGE_MISMATCH', /different prompt/],
    ['different suites', () => shards(2).map((s, i) => (i ? { ...s, report: { ...s.report, suites: s.report.suites.slice(1) } } : s)), 'E_MERGE_MISMATCH', /different suites/],
  ])('refuses %s (exit 2)', (_, make, code, message) => {
    const r = refusal(make());
    expect(r).toMatchObject({ code, exitCode: 2 });
    expect(r.message).toMatch(message);
  });
});

describe('checkReport', () => {
  it('accepts a report as eval writes it, keeping fields it does not know', () => {
    const r = { ...report({ index: 1, count: 2 }), futureField: { x: 1 } };
    expect(checkReport(JSON.parse(JSON.stringify(r)))).toEqual({ report: r });
  });

  it('names the first things wrong with anything else', () => {
    const r = JSON.parse(JSON.stringify(report({ index: 1, count: 2 })));
    r.suites[0].cases[1].status = 'maybe';
    delete r.totals;
    expect(checkReport(r)).toEqual({ problems: [expect.stringMatching(/^suites\[0\]\.cases\[1\]\.status: /), expect.stringMatching(/^totals: /)] });
    expect(checkReport([])).toEqual({ problems: [expect.stringMatching(/^\(the top\): /)] });
  });
});
