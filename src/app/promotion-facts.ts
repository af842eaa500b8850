// The facts the promotion gates are computed from, gathered from the workspace,
// the lock and the run log. The log is read through the Store interface with
// indexed queries only (`queryForFold`: payloads parsed, not schema-checked,
// which the fold does not need), and every figure comes from the stats fold,
// so a rate here means what it means on the dashboard:
//   - the runs figures: the automation's runs started since its last tier
//     change (the ledger's `since`), folded; an outcome of a run started
//     before it is no evidence for this tier and is left out (unattributed);
//   - the backlog: the automation's runs still waiting for a person, whenever
//     they started (a run queued before the last change still waits), folded;
//   - the eval evidence: every eval_completed, folded, then matched against the
//     current prompt hash and the locked, served model of each suite.
import { describeDrift, lockDrift, automationTiers, type Drift } from '../core/lock/drift.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import { evalEvidence, type EvalTarget } from '../core/stats/evals.js';
import { createStatsFold } from '../core/stats/fold.js';
import { EVAL_FOLD_TYPES, RUN_FOLD_TYPES } from '../core/stats/inputs.js';
import type { EvalFact, GateFacts } from '../core/tiers/facts.js';
import type { Tier } from '../core/tiers/policy.js';
import type { Automation } from '../core/workspace/schemas.js';
import { promptValues, type Workspace } from '../core/workspace/workspace.js';
import type { EventQuery, FoldRow, Store } from '../store/types.js';

/** Events read a page at a time, so memory stays flat however long the automation's history. */
const PAGE = 5000;
/** Runs a query names at once (well under every database's limit of parameters). */
const RUN_CHUNK = 500;

export interface GatheredFacts {
  facts: GateFacts;
  /** Where the runs figures start: the ledger's `since`, or null with no ledger entry (then every run counts). */
  since: string | null;
  /** How many events were read from the log, for the curious and the benchmark. */
  eventsRead: number;
  /** The seq of the automation's newest tier_changed before the evidence was read (0: none): a change logged after it races this one. */
  lastChangeSeq: number;
}

export async function gatherFacts(ws: Workspace, store: Store, automationId: string, to: Tier, asOf: string): Promise<GatheredFacts> {
  const a = ws.automations.get(automationId)!.value;
  // First, so a change logged while the evidence is read counts as one that raced it.
  const [last] = await store.queryForFold({ automation: automationId, types: ['tier_changed'], order: 'desc', limit: 1 });
  const since = ws.lock?.value.automations?.[automationId]?.since ?? null;
  let eventsRead = 0;
  const count = (n: number): void => {
    eventsRead += n;
  };
  const thresholdOf = (id: string) => (id === automationId ? a.confidence?.threshold : undefined);

  const [runs, backlog, evals] = await Promise.all([
    (async () => {
      const fold = createStatsFold({ thresholdOf });
      for await (const page of eventPages(store, { automation: automationId, types: [...RUN_FOLD_TYPES], ...(since ? { since } : {}) })) {
        count(page.length);
        for (const e of page) fold.add(e);
      }
      return fold.result(asOf).automations.find((x) => x.automation === automationId)?.total;
    })(),
    oldestWaiting(store, automationId, asOf, thresholdOf, count),
    (async () => {
      const fold = createStatsFold();
      for await (const page of eventPages(store, { types: [...EVAL_FOLD_TYPES] })) {
        count(page.length);
        for (const e of page) fold.add(e);
      }
      return fold.result(asOf).evals;
    })(),
  ]);

  const facts: GateFacts = {
    to,
    owner: a.owner,
    governance: a.governance,
    lockDrift: driftOf(ws, a).map((d) => describeDrift(d).message),
    evals: a.evals.map((suite): EvalFact => {
      const target = evalTarget(ws, suite);
      const e = target ? evalEvidence(evals, suite, target) : null;
      return { suite, evidence: e ? { passed: e.passed, passRate: e.passRate, at: e.at } : null };
    }),
    runs: runs ?? { started: 0, finished: 0, failed: 0, corrected: 0, lowConfidenceReviews: 0 },
    oldestWaitingAt: backlog,
    asOf,
    ...(a.review?.cadence ? { cadence: a.review.cadence } : {}),
    ...(a.promotion ? { promotion: a.promotion } : {}),
    reversal: !!a.reversal?.command?.length,
    notify: !!a.notify?.command?.length,
  };
  return { facts, since, eventsRead, lastChangeSeq: last?.seq ?? 0 };
}

/**
 * The runs waiting for a person, through the runs table's index of them, and
 * their events folded: the fold decides what waiting means, as everywhere.
 */
async function oldestWaiting(store: Store, automation: string, asOf: string, thresholdOf: (id: string) => number | undefined, count: (n: number) => void): Promise<string | null> {
  const fold = createStatsFold({ thresholdOf });
  for await (const page of store.queryRuns({ automation, awaiting: true, order: 'asc' })) {
    for (let i = 0; i < page.length; i += RUN_CHUNK) {
      const runIds = page.slice(i, i + RUN_CHUNK).map((r) => r.runId);
      const events = await store.queryForFold({ runIds, types: [...RUN_FOLD_TYPES], order: 'asc' });
      count(events.length);
      for (const e of events) fold.add(e);
    }
  }
  return fold.result(asOf).automations.find((x) => x.automation === automation)?.backlog.oldestAt ?? null;
}

/** A query's events in seq order, a page at a time. */
export async function* eventPages(store: Store, q: Omit<EventQuery, 'afterSeq' | 'order' | 'limit'>, size = PAGE): AsyncIterable<FoldRow[]> {
  let after = 0;
  for (;;) {
    const page = await store.queryForFold({ ...q, afterSeq: after, order: 'asc', limit: size });
    if (page.length > 0) yield page;
    if (page.length < size) return;
    after = page[page.length - 1].seq;
  }
}

/**
 * Lock drift that concerns this automation: no lock, its prompt's model, its
 * prompt, and its entry in the ledger. A tier raised by hand is not among
 * them: promoting is how it is put right.
 */
function driftOf(ws: Workspace, a: Automation): Drift[] {
  const model = ws.prompts.get(a.prompt)?.value.model;
  const all = lockDrift(ws.config!.value, promptValues(ws), ws.lock?.value, automationTiers(ws.automations));
  return all.filter((d) => {
    switch (d.kind) {
      case 'no_lock':
        return true;
      case 'model_unlocked':
      case 'model_stale':
      case 'model_unserved':
        return d.model === model;
      case 'prompt_unlocked':
      case 'prompt_edited':
      case 'prompt_bumped':
      case 'prompt_behind':
        return d.prompt === a.prompt;
      case 'automation_unlocked':
        return d.automation === a.id;
      default:
        return false;
    }
  });
}

/** What an eval of `suite` must have run against to count: its prompt as it is now, on the model the lock pins and says is served. */
function evalTarget(ws: Workspace, suite: string): EvalTarget | null {
  const s = ws.suites.get(suite)?.value;
  const prompt = s ? ws.prompts.get(s.prompt)?.value : undefined;
  const locked = prompt ? ws.lock?.value.models[prompt.model] : undefined;
  if (!prompt || !locked || locked.requested !== ws.config!.value.models[prompt.model]) return null;
  return { sha256: promptHash(prompt), model: locked.resolved, ...(locked.served !== undefined ? { served: locked.served } : {}) };
}
