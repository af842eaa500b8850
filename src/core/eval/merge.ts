// `aigov eval --merge`: the JSON reports of `--shard i/n` runs back into the one
// report a single run would have written, cases in the single run's order. It
// refuses what would make that report a lie: shards of different commits or
// locks, a shard missing or given twice, reports of different plans. Pure.
import { UsageError } from '../../errors.js';
import { mergeTotals, suiteTotals, type CaseResult, type EvalReport, type ModelMismatch, type SuiteResult } from './report.js';

export interface ShardInput {
  /** As the user named it, for messages. */
  file: string;
  report: EvalReport;
}

export function mergeShardReports(inputs: readonly ShardInput[]): EvalReport {
  if (!inputs.length) throw new UsageError('--merge needs at least one report', { hint: 'aigov eval --merge shard-*.json' });
  for (const { file, report } of inputs) checkMergeable(file, report);
  const count = same(inputs, (r) => String(r.shard!.count), 'E_MERGE_MISMATCH', 'the shard count (i/n) differs');
  same(inputs, (r) => r.commit ?? 'none (not in git)', 'E_MERGE_COMMIT_MISMATCH', 'the reports come from different commits', 'run every shard on the same commit');
  same(inputs, (r) => r.lockSha256 ?? 'none (no aigov.lock)', 'E_MERGE_LOCK_MISMATCH', 'the reports were run under different aigov.lock files', 'run every shard with the same lock');
  same(inputs, (r) => r.mode, 'E_MERGE_MISMATCH', 'the reports were run in different modes');
  same(inputs, (r) => r.suites.map((s) => s.suite).join(', ') || '(none)', 'E_MERGE_MISMATCH', 'the reports ran different suites');

  const n = Number(count);
  const byIndex = new Map<number, ShardInput[]>();
  for (const input of inputs) byIndex.set(input.report.shard!.index, [...(byIndex.get(input.report.shard!.index) ?? []), input]);
  const twice = [...byIndex].filter(([, list]) => list.length > 1).sort(([a], [b]) => a - b);
  if (twice.length) {
    throw new UsageError(`shard ${twice.map(([i, list]) => `${i}/${n} is given ${list.length} times (${list.map((x) => x.file).join(', ')})`).join('; ')}`, {
      code: 'E_MERGE_SHARD_DUPLICATE',
      hint: 'pass each shard report once',
    });
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) {
    throw new UsageError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')} missing: a merged report must hold every case`, {
      code: 'E_MERGE_SHARD_MISSING',
      hint: 'pass the report of every shard, or rerun the missing ones',
    });
  }

  const shards = Array.from({ length: n }, (_, i) => byIndex.get(i + 1)![0].report);
  const suites = mergeSuites(shards, inputs);
  const first = shards[0];
  const durationMs = Math.max(...shards.map((r) => r.durationMs));
  const warnings = [...new Set(shards.flatMap((r) => r.warnings))];
  const dirty = shards.some((r) => r.dirty);
  if (dirty && first.commit) warnings.push(`a shard ran with uncommitted changes to the workspace: the merged result may not be that of commit ${first.commit.slice(0, 12)}`);
  const { shard: _, ...rest } = first;
  return {
    ...rest,
    startedAt: shards.map((r) => r.startedAt).sort()[0],
    durationMs,
    unlocked: shards.some((r) => r.unlocked),
    interrupted: false,
    dirty,
    warnings,
    suites,
    totals: mergeTotals(suites, durationMs),
  };
}

function checkMergeable(file: string, r: EvalReport): void {
  if (!r.shard) throw new UsageError(`${file} is not the report of a shard: it has no shard i/n`, { code: 'E_MERGE_BAD_REPORT', hint: 'merge the JSON reports of `aigov eval --shard i/n` runs' });
  if (r.interrupted) throw new UsageError(`${file}: shard ${r.shard.index}/${r.shard.count} was interrupted and holds only some of its cases`, { code: 'E_MERGE_BAD_REPORT', hint: 'run that shard again' });
  if (r.commit === undefined || r.lockSha256 === undefined) {
    throw new UsageError(`${file} does not say which commit and lock it ran on`, { code: 'E_MERGE_BAD_REPORT', hint: 'rerun the shards with this version of aigov' });
  }
}

/** The one value `key` gives for every report, or a refusal that lists each file's value. */
function same(inputs: readonly ShardInput[], key: (r: EvalReport) => string, code: 'E_MERGE_MISMATCH' | 'E_MERGE_COMMIT_MISMATCH' | 'E_MERGE_LOCK_MISMATCH', what: string, hint?: string): string {
  const values = inputs.map((i) => key(i.report));
  if (new Set(values).size > 1) throw new UsageError(`cannot merge: ${what}: ${inputs.map((i, k) => `${i.file}: ${values[k]}`).join('; ')}`, { code, hint });
  return values[0];
}

/**
 * Cases back in the single run's order. The plan deals case k of the run (counted
 * over all suites in order) to shard (k mod n) + 1, so dealing again from the
 * shards' lists restores the order, and a list that runs short or long means
 * the reports did not come from one plan.
 */
function mergeSuites(shards: readonly EvalReport[], inputs: readonly ShardInput[]): SuiteResult[] {
  const n = shards.length;
  const queues = shards.map((r) => r.suites.map((s) => [...s.cases]));
  let ordinal = 0;
  return shards[0].suites.map((meta, si) => {
    for (const r of shards) {
      const s = r.suites[si];
      if (s.prompt.sha256 !== meta.prompt.sha256 || s.model.resolved !== meta.model.resolved || s.model.served !== meta.model.served || s.requiredPassRate !== meta.requiredPassRate || s.file !== meta.file) {
        throw new UsageError(`cannot merge: suite "${meta.suite}" ran with a different prompt, model or pass rate in shard ${r.shard!.index}/${n}`, { code: 'E_MERGE_MISMATCH' });
      }
    }
    const total = queues.reduce((sum, q) => sum + q[si].length, 0);
    const cases: CaseResult[] = [];
    for (let k = 0; k < total; k++, ordinal++) {
      const next = queues[ordinal % n][si].shift();
      if (!next) throw notOnePlan(meta.suite, inputs);
      cases.push(next);
    }
    if (new Set(cases.map((c) => c.id)).size !== cases.length) throw notOnePlan(meta.suite, inputs);
    const parts = shards.map((r) => r.suites[si]);
    const durationMs = Math.max(...parts.map((s) => s.totals.durationMs));
    const { modelMismatch: _, ...rest } = meta;
    return { ...rest, ...servedFacts(parts), cases, totals: suiteTotals(cases, durationMs) };
  });
}

/** What the answers of every shard reported: the ids seen, and the answers from another model than the lock's `served`. */
function servedFacts(parts: readonly SuiteResult[]): Pick<SuiteResult, 'model' | 'modelMismatch'> {
  const model = { ...parts[0].model };
  if (parts.some((s) => s.model.returned)) model.returned = [...new Set(parts.flatMap((s) => s.model.returned ?? []))].sort();
  const tally = new Map<string, ModelMismatch>();
  for (const m of parts.flatMap((s) => s.modelMismatch ?? [])) {
    const key = JSON.stringify([m.model, m.expected, m.returned]);
    const sum = tally.get(key) ?? { ...m, answers: 0 };
    sum.answers += m.answers;
    tally.set(key, sum);
  }
  const modelMismatch = [...tally.values()].sort((x, y) => x.model.localeCompare(y.model) || x.returned.localeCompare(y.returned));
  return modelMismatch.length ? { model, modelMismatch } : { model };
}

function notOnePlan(suite: string, inputs: readonly ShardInput[]): UsageError {
  return new UsageError(`cannot merge: the cases of suite "${suite}" are not dealt as one run's shards would be (${inputs.map((i) => i.file).join(', ')})`, {
    code: 'E_MERGE_MISMATCH',
    hint: 'merge the reports of one set of --shard runs, with the same suites and the same --repeat',
  });
}
