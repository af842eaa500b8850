// `aigov pin --upgrade NAME`: the newest snapshot, tested on every suite that uses
// the model, switched to only if they all pass.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { GateError, UsageError } from '../errors.js';
import { suitePassed, type EvalReport } from '../core/eval/report.js';
import { automationTiers, isModelLocked } from '../core/lock/drift.js';
import { nextLedger } from '../core/lock/ledger.js';
import { lockTime, serializeLock } from '../core/lock/lockfile.js';
import { didYouMean } from '../core/suggest.js';
import type { Lockfile } from '../core/workspace/schemas.js';
import type { Workspace } from '../core/workspace/workspace.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { fileError } from '../fs/file-errors.js';
import { keepWritten } from './parse-cache.js';
import type { ModelGateway } from '../providers/gateway.js';
import type { Store } from '../store/types.js';
import type { EvalOptions } from './eval.js';
import type { Context } from './context.js';
import { evalGate } from './eval-gate.js';
import { pinEvents, recordEvents } from './evidence.js';
import { checkLock } from './pin.js';
import { resolveSnapshot, servedModel } from './resolve-model.js';

export interface UpgradeResult {
  name: string;
  from: string;
  to: string;
  /** What the API reports as `model` for `to` (recorded in the lock when it switches). */
  served?: string | null;
  suites: { suite: string; before: number; after: number; passed: boolean }[];
  switched: boolean;
  forced: boolean;
  /** The evidence of the new snapshot, for the model_pinned event. */
  report?: EvalReport;
}

export async function upgrade(
  ws: Workspace,
  name: string,
  opts: {
    force?: boolean;
    by: string;
    now: () => Date;
    gateway: ModelGateway;
    eval?: EvalOptions;
    /** The run log for the evidence (the caller closes it); by default the workspace's own. */
    store?: Store;
    /** Told when eval results could not be recorded: the upgrade goes on without them. */
    onWarning?: (message: string) => void;
    /** Git and the run log for the evidence and the pin (app/context.ts). */
    context?: Partial<Context>;
  },
): Promise<UpgradeResult> {
  checkLock(ws);
  const config = ws.config!.value;
  if (!(name in config.models)) throw new UsageError(`unknown model "${name}"`, { hint: didYouMean(name, Object.keys(config.models)) });
  if (!ws.lock || !isModelLocked(config, ws.lock.value, name)) throw new GateError('E_UNLOCKED', `model "${name}" is not locked yet`, { hint: 'run `aigov pin` first' });
  const current = ws.lock.value.models[name];
  const found = await resolveSnapshot(opts.gateway, current.requested);
  const resolved = found.resolved;
  if (resolved === current.resolved) return { name, from: current.resolved, to: resolved, suites: [], switched: false, forced: false };
  // Asked before the suites run, so they are checked against what the new snapshot says it is.
  const served = found.served !== undefined ? found.served : await servedModel(opts.gateway, resolved);

  const suites = [...ws.suites.values()]
    .filter(({ value: s }) => ws.prompts.get(s.prompt)?.value.model === name || s.cases.some((c) => c.assert?.some((a) => a.type === 'judge' && a.model === name)))
    .map(({ value: s }) => s.suite);
  const at = lockTime(opts.now());
  const candidate: Lockfile = {
    ...ws.lock.value,
    models: { ...ws.lock.value.models, [name]: { ...current, resolved, served, pinnedAt: at, pinnedBy: opts.by } },
    // Written as version 2, like any pin: the ledger as it is, or as a version 1 lock implies.
    automations: nextLedger(automationTiers(ws.automations), ws.lock.value, { since: at, by: opts.by }).ledger,
  };
  const withCandidate: Workspace = { ...ws, lock: { value: candidate, source: ws.lock.source } };
  // Both runs are recorded: the first is evidence for the pinned snapshot, the second for the candidate.
  const evalOpts = { ...opts.eval, suites, gateway: opts.gateway, evidence: { actor: opts.by, store: opts.store, now: opts.now, context: opts.context } };
  const evidence = async (w: Workspace) => {
    const r = await evalGate(w, evalOpts);
    if (r.recordError) opts.onWarning?.(`the results were not recorded in the run log: ${r.recordError.message}`);
    return r.report;
  };
  // The lock is written after the suites have run on both snapshots: a folder it cannot be written in is said before they are paid for.
  lockWritable(ws.root);
  const before = suites.length ? await evidence(ws) : undefined;
  const after = suites.length ? await evidence(withCandidate) : undefined;
  const rows = suites.map((suite) => {
    const b = before!.suites.find((s) => s.suite === suite)!;
    const a = after!.suites.find((s) => s.suite === suite)!;
    return { suite, before: b.totals.passRate, after: a.totals.passRate, passed: suitePassed(a) };
  });
  const allPass = rows.every((r) => r.passed);
  if (!allPass && !opts.force) return { name, from: current.resolved, to: resolved, served, suites: rows, switched: false, forced: false, report: after };
  const text = serializeLock(candidate);
  writeFileAtomic(join(ws.root, 'aigov.lock'), text);
  keepWritten(ws.root, 'lock', 'aigov.lock', text);
  const forced = !allPass;
  await recordEvents(ws, pinEvents([{ name, from: current.resolved, to: resolved, how: 'upgrade', served }], opts.by, opts.now().toISOString(), { suites: rows, forced }), opts.store, opts.context?.openStore);
  return { name, from: current.resolved, to: resolved, served, suites: rows, switched: true, forced, report: after };
}

/** aigov.lock is replaced by a rename in its folder: the folder must take a new file. */
function lockWritable(root: string): void {
  try {
    accessSync(root, constants.W_OK);
  } catch (err) {
    throw fileError(err, 'aigov.lock', 'write') ?? err;
  }
}
