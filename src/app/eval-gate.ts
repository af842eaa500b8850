// Running suites as evidence: run them, then record one `eval_completed` a suite
// in the run log. `aigov eval`, `pin --upgrade` and the library all come through
// here, so every eval that promotion may count is recorded the same way,
// whoever started it.
//
// Recording is never the gate: a run log that cannot be opened or written is
// returned as `recordError` (the CLI prints a warning), and an interrupted run
// records nothing, since it is no evidence of anything.
import type { EvalReport } from '../core/eval/report.js';
import type { LoggedEvent } from '../core/log/events.js';
import type { Workspace } from '../core/workspace/workspace.js';
import type { Store } from '../store/types.js';
import { createContext, systemClock, type Context } from './context.js';
import { runEval, type EvalOptions } from './eval.js';
import { evalEvents } from './evidence.js';
import { gitState } from './git.js';
import { whenQuiet } from './when-quiet.js';

export interface GitFacts {
  commit: string | null;
  dirty: boolean;
}

export interface EvidenceOptions {
  /** Who ran it; by default AIGOV_ACTOR, git's user.email, then the login name. */
  actor?: string;
  /** The run log to record in, opened by the caller (who closes it); by default the workspace's own, opened and closed here. */
  store?: Store;
  now?: () => Date;
  /** For tests: what git says about the workspace. */
  git?: (root: string) => Promise<GitFacts>;
  /** Git, who is acting, the clock and the run log (app/context.ts); the options above win over their parts. */
  context?: Partial<Context>;
}

export interface EvalGateOptions extends EvalOptions {
  evidence?: EvidenceOptions;
}

export interface EvalGateResult {
  report: EvalReport;
  /** The `eval_completed` events as the log holds them; empty when nothing was recorded. */
  recorded: LoggedEvent[];
  /** Why the results are not in the run log; the report stands either way. */
  recordError?: Error;
  /** The commit the results were recorded against; null where git could not say. */
  git: GitFacts | null;
}

interface Ready {
  git: GitFacts;
  actor: string;
  store: Store;
  owned: boolean;
}

export async function evalGate(ws: Workspace, opts: EvalGateOptions = {}): Promise<EvalGateResult> {
  const ev = opts.evidence ?? {};
  // Git, identity and the run log are made ready at the first pause in the
  // answers (whenQuiet): none of it delays the first request, nor the calls of a
  // round being answered.
  let ready: Promise<Ready | Error> | undefined;
  const prepare = (): Promise<Ready | Error> => (ready ??= prepareEvidence(ws, ev));
  const quiet = whenQuiet(() => void prepare());
  let report: EvalReport;
  try {
    report = await runEval(ws, {
      ...opts,
      onProgress: (done, total) => {
        opts.onProgress?.(done, total);
        quiet.answered();
      },
    });
  } catch (err) {
    quiet.stop();
    if (ready) await closeOwned(await ready);
    throw err;
  }
  quiet.stop();
  const r = await prepare();
  if (r instanceof Error) return { report, recorded: [], recordError: r, git: null };
  try {
    if (report.interrupted) return { report, recorded: [], git: r.git };
    const at = (ev.now ?? ev.context?.clock ?? systemClock)().toISOString();
    const recorded = await r.store.append(evalEvents(report, r.git, r.actor, at));
    return { report, recorded, git: r.git };
  } catch (err) {
    return { report, recorded: [], recordError: err as Error, git: r.git };
  } finally {
    await closeOwned(r);
  }
}

async function prepareEvidence(ws: Workspace, ev: EvidenceOptions): Promise<Ready | Error> {
  try {
    const ctx = createContext(ev.context);
    const [git, actor, store] = await Promise.all([
      (ev.git ?? ((root: string) => gitState(root, ctx.git(root))))(ws.root),
      ctx.identity.name(ws.root, ev.actor),
      ev.store ?? ctx.openStore(ws.config?.value.store, ws.root),
    ]);
    return { git, actor, store, owned: !ev.store };
  } catch (err) {
    return err as Error;
  }
}

async function closeOwned(r: Ready | Error): Promise<void> {
  if (r instanceof Error || !r.owned) return;
  try {
    await r.store.close();
  } catch {
    // Closing a log that failed is no news worth more than the failure itself.
  }
}
