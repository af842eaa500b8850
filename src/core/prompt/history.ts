// A prompt's versions from its git history: each distinct (version, content
// hash) at the first commit where it appears, flagged where the content changed
// and the version did not, with the eval results the run log holds for each
// hash. Pure: git and the store are read by the caller.

export type PromptState = { kind: 'prompt'; version: number; sha256: string } | { kind: 'invalid'; problems: string[] } | { kind: 'absent' };

export interface HistoryPoint {
  /** null: the working tree, not committed. */
  commit: string | null;
  author?: string;
  email?: string;
  date?: string;
  subject?: string;
  state: PromptState;
}

export type HistoryFlag = { code: 'not_bumped'; message: string; previous: { version: number; sha256: string; commit: string | null } } | { code: 'version_lowered'; message: string; previous: { version: number; commit: string | null } };

export interface HistoryVersion {
  version: number;
  sha256: string;
  commit: string | null;
  author: string | null;
  email: string | null;
  date: string | null;
  subject: string | null;
  flags: HistoryFlag[];
}

export interface InvalidPoint {
  commit: string | null;
  author: string | null;
  date: string | null;
  problems: string[];
}

/** `points` oldest first, the working tree (if any) last. */
export function analyzeHistory(points: readonly HistoryPoint[]): { versions: HistoryVersion[]; invalid: InvalidPoint[] } {
  const versions: HistoryVersion[] = [];
  const invalid: InvalidPoint[] = [];
  const seen = new Set<string>();
  let current: { version: number; commit: string | null } | undefined;
  for (const p of points) {
    if (p.state.kind === 'invalid') {
      invalid.push({ commit: p.commit, author: p.author ?? null, date: p.date ?? null, problems: p.state.problems });
      continue;
    }
    if (p.state.kind === 'absent') continue;
    const { version, sha256 } = p.state;
    const key = `${version}\0${sha256}`;
    const before = current;
    current = { version, commit: p.commit };
    if (seen.has(key)) continue;
    seen.add(key);
    const entry: HistoryVersion = { version, sha256, commit: p.commit, author: p.author ?? null, email: p.email ?? null, date: p.date ?? null, subject: p.subject ?? null, flags: [] };
    // The same number with other content, here or anywhere earlier: a reader of the lock cannot tell them apart.
    const clash = versions.find((v) => v.version === version && v.sha256 !== sha256);
    if (clash) {
      entry.flags.push({
        code: 'not_bumped',
        message: `content changed without a version bump: version ${version} already had content ${clash.sha256.slice(0, 12)} ${clash.commit ? `at ${clash.commit.slice(0, 7)}` : 'in the working tree'}`,
        previous: { version: clash.version, sha256: clash.sha256, commit: clash.commit },
      });
    }
    if (before && version < before.version) {
      entry.flags.push({ code: 'version_lowered', message: `version went down from ${before.version} to ${version}`, previous: { version: before.version, commit: before.commit } });
    }
    versions.push(entry);
  }
  return { versions, invalid };
}

export interface EvalEventLike {
  at: string;
  data: Record<string, unknown>;
}

export interface EvalSummary {
  suite: string;
  model: string;
  mode: string;
  /** A `--shard i/n` run saw only part of the suite: its results are kept apart. */
  shard: { index: number; count: number } | null;
  runs: number;
  passedRuns: number;
  last: { at: string; passRate: number; passed: boolean; cases: number; commit: string | null };
}

/** The `eval_completed` results of prompt `id` at content `sha256`, one line per suite, model, mode and shard; events oldest first. */
export function summarizeEvals(events: readonly EvalEventLike[], id: string, sha256: string): EvalSummary[] {
  const groups = new Map<string, EvalSummary>();
  for (const e of events) {
    const d = e.data as { suite?: unknown; prompt?: { id?: unknown; sha256?: unknown }; model?: unknown; mode?: unknown; passRate?: unknown; passed?: unknown; cases?: unknown; commit?: unknown; shard?: { index?: unknown; count?: unknown } };
    if (d.prompt?.id !== id || d.prompt?.sha256 !== sha256 || typeof d.suite !== 'string') continue;
    const model = typeof d.model === 'string' ? d.model : '?';
    const mode = typeof d.mode === 'string' ? d.mode : 'live';
    const shard = typeof d.shard?.index === 'number' && typeof d.shard?.count === 'number' ? { index: d.shard.index, count: d.shard.count } : null;
    const key = `${d.suite}\0${model}\0${mode}\0${shard ? `${shard.index}/${shard.count}` : ''}`;
    const passed = d.passed === true;
    const last = { at: e.at, passRate: typeof d.passRate === 'number' ? d.passRate : 0, passed, cases: typeof d.cases === 'number' ? d.cases : 0, commit: typeof d.commit === 'string' ? d.commit : null };
    const g = groups.get(key);
    if (!g) groups.set(key, { suite: d.suite, model, mode, shard, runs: 1, passedRuns: passed ? 1 : 0, last });
    else {
      g.runs++;
      if (passed) g.passedRuns++;
      if (e.at >= g.last.at) g.last = last;
    }
  }
  const shardOrder = (x: EvalSummary): number => (x.shard ? x.shard.count * 1000 + x.shard.index : 0);
  return [...groups.values()].sort((a, b) => a.suite.localeCompare(b.suite) || a.model.localeCompare(b.model) || a.mode.localeCompare(b.mode) || shardOrder(a) - shardOrder(b));
}
