// `aigov eval --baseline REF`: the suites a change touched, run at the ref and at
// the working tree on the same cases with the same repeats, and compared case by
// case. The base is the workspace as git holds it at the ref (its prompts, suites
// and lock), read without touching the working tree; the cache and the fixtures
// are the working tree's, so what did not change is answered once. Both runs go
// through `evalGate`, so both are recorded as evidence, the base under its own
// commit.
import { AigovError, InvalidWorkspaceError, type Problem } from '../errors.js';
import { compareRuns } from '../core/eval/baseline.js';
import { planEval } from '../core/eval/plan.js';
import type { EvalReport } from '../core/eval/report.js';
import { hasErrors, type Workspace } from '../core/workspace/workspace.js';
import { changedSuites, withFlag } from './changed.js';
import { evalGate, type EvalGateOptions, type EvalGateResult } from './eval-gate.js';
import { createGit, type Git } from './git.js';
import { readWorkspaceAt } from './workspace-at-ref.js';

export interface BaselineOptions extends Omit<EvalGateOptions, 'shard' | 'repeats'> {
  ref: string;
  git?: Git;
  /** Hears of each problem with the workspace at the ref that is no error (lock drift there, a lock it cannot read). */
  onProblem?: (p: Problem) => void;
  /** Told before each side runs, with its suites: the base first, then the head. */
  onSide?: (side: 'base' | 'head', suites: readonly string[], commit: string | null) => void;
}

export interface BaselineResult {
  /** The head's report, with `baseline` holding the base run and the comparison. */
  report: EvalReport;
  head: EvalGateResult;
  /** Null when no touched suite exists at the ref. */
  base: EvalGateResult | null;
  /** The suites the change touched (or the ones named), in the order they ran. */
  touched: string[];
}

export async function evalBaseline(ws: Workspace, opts: BaselineOptions): Promise<BaselineResult> {
  if (hasErrors(ws)) throw new InvalidWorkspaceError(ws.problems);
  const { ref } = opts;
  const git = opts.git ?? createGit(ws.root);
  const at = await readWorkspaceAt(ws.root, ref, { git }).catch((err: unknown) => Promise.reject(withFlag(err, ref, '--baseline')));
  // A ref from before the workspace existed (the change that adds aigov) has nothing to compare: every suite is new.
  if (at.exists && hasErrors(at.ws)) throw new InvalidWorkspaceError(at.ws.problems, { at: `${ref} (the --baseline ref)` });
  const touched = opts.suites ? [...opts.suites] : await changedSuites(ws, ref, { git, flag: '--baseline', onProblem: opts.onProblem });
  const compared = at.exists ? touched.filter((s) => at.ws.suites.has(s)) : [];
  const added = touched.filter((s) => !compared.includes(s));
  const removed = [...at.ws.suites.keys()].filter((s) => !ws.suites.has(s)).sort();

  // Same cases, same repeats: the base takes the head's samples per case, so a
  // suite whose `repeat` changed is still compared sample for sample.
  const repeats = new Map(touched.flatMap((s) => (ws.suites.has(s) ? [[s, ws.suites.get(s)!.value.repeat] as const] : [])));
  const plan = { repeat: opts.repeat, unlocked: opts.unlocked };
  // Both plans before any call: a base or head that cannot run stops the command before anything is paid for.
  planEval(ws, { ...plan, suites: touched });
  try {
    if (compared.length) planEval(at.ws, { ...plan, suites: compared, repeats });
  } catch (err) {
    throw atRef(err, ref);
  }

  // One run log for both: the working tree's, whatever the ref's aigov.yaml says.
  const baseWs: Workspace = { ...at.ws, config: at.ws.config && { ...at.ws.config, value: { ...at.ws.config.value, store: ws.config?.value.store } } };
  let base: EvalGateResult | null = null;
  if (compared.length) {
    opts.onSide?.('base', compared, at.commit);
    base = await evalGate(baseWs, {
      ...opts,
      suites: compared,
      repeats,
      // A replayed base finds its recordings in the working tree's fixtures, or else in those committed at the ref.
      moreFixtures: () => fixturesAt(git, at.commit, ref),
      evidence: { ...opts.evidence, git: async () => ({ commit: at.commit, dirty: false }) },
    });
  }
  opts.onSide?.('head', touched, null);
  // An interrupted base leaves the head nothing to do: its signal is aborted, so it starts no call.
  const head = await evalGate(ws, { ...opts, suites: touched });
  const baseReport = base?.report ?? emptyReport(head.report);
  const baseline = compareRuns({ ref, commit: at.commit, base: baseReport, head: head.report, added, removed });
  return { report: { ...head.report, baseline }, head, base, touched };
}

/** The fixture files as they are at a commit, named as `main:fixtures/inv.yaml`. */
async function fixturesAt(git: Git, commit: string, ref: string): Promise<{ file: string; text: string }[]> {
  const files = (await git.listFiles(commit, ['fixtures'])).filter((f) => !f.symlink && /^fixtures\/[^/]+\.yaml$/.test(f.path));
  const bytes = await git.showMany(commit, files.map((f) => f.path));
  return files.flatMap((f, i) => (bytes[i] ? [{ file: `${ref}:${f.path}`, text: bytes[i]!.toString('utf8') }] : []));
}

/** What the base ran when no touched suite exists at the ref: nothing. */
function emptyReport(like: EvalReport): EvalReport {
  const totals = { cases: 0, passed: 0, failed: 0, errors: 0, interrupted: 0, passRate: 1, tokens: { input: 0, output: 0 }, costUsd: 0, durationMs: 0 };
  return { ...like, durationMs: 0, interrupted: false, warnings: [], suites: [], totals, baseline: undefined };
}

/** An error planning the base says it is about the ref. */
function atRef(err: unknown, ref: string): unknown {
  if (!(err instanceof AigovError)) return err;
  // Pinning is no fix for a commit that is already made.
  const hint = err.code === 'E_UNLOCKED' ? `the ref's lock does not pin it, so its suite cannot run as it would have there; --unlocked runs it against what aigov.yaml at ${ref} requests` : err.hint;
  return new AigovError(err.code, `--baseline ${ref}: at ${ref}, ${err.message}`, { exitCode: err.exitCode, hint, location: err.location, cause: err });
}
