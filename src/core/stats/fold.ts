// One streaming fold over the run log: events in (in log order), statistics
// per automation and per time window out. Promotion's gates, the dashboard and
// the monthly report read it, so a rate means the same thing everywhere. Pure.
//
// A run's outcome counts in the window of the run's start (SPEC), and outcomes
// can come long after the start: a review, a reverted action. So the fold keeps
// a little state per run, but only while the run can still change a figure:
//   - from run_started until it finishes, fails or is abandoned;
//   - while it waits for review, approval or an audit grade (that is the backlog,
//     which has to be known anyway);
//   - at tier 2 only, until its action is reverted or its reversal window closes
//     (`aigov revert` refuses after it), or, if it is never acted on,
//     `actionHorizonMs` after it became actionable.
// Tier 1 and tier 3 actions cannot be reverted, so those runs are dropped as soon
// as they are settled. Memory is the open runs plus bounded sketches per window,
// never a list of all runs. An outcome for a run whose state is gone (or whose
// start came before the first event folded) is counted as `unattributed`, a
// figure of the fold alone (`StatsFold.unattributed`), not of its statistics.
//
// A revert counts when it comes inside the run's reversal window: at tier 2,
// once the run is actionable (finished with an auto disposition, or approved or
// overridden by a person; never once rejected), and no later than the
// reversibleUntil of its first action_taken that names one, or, with none,
// `actionHorizonMs` after it became actionable. That is a rule on the run's own
// events, so the runs table's aggregate (app/aggregate-stats.ts) counts the same.
//
// Calibration reads the same fold: a run a person graded (a review or approval
// decision, or an audit grade) is kept by its confidence in `graded`, correct
// when approved, wrong when overridden or rejected, and moved to wrong if its
// action is reverted later (SPEC: a reverted action is wrong).
import { addWaiting, emptyBacklog, type Backlog } from './backlog.js';
export type { Backlog } from './backlog.js';
import { evalRecord, targetKey, type SuiteEvals } from './evals.js';
import { decisionOf, dispositionOf, num, record, timeOf, type FoldEvent } from './events.js';
import { addGrade, regradeWrong, type GradeSource } from './graded.js';
import { addConfidence, addLatency, mergeWindows, newWindow, windowStats, type WindowAcc, type WindowStats } from './window-stats.js';
import { allTime } from './windows.js';

export interface FoldOptions {
  /**
   * The window a run falls in, from its start time and automation (a `WindowOf`
   * such as `byMonth` ignores the automation). Default: one window, `all`.
   */
  windowOf?: (at: string, automation: string) => string;
  /**
   * The confidence threshold of an automation. A review of a run whose answer
   * came from another model is a low-confidence review only if its confidence
   * was also under the threshold; without one, it is a mismatch review only.
   */
  thresholdOf?: (automation: string) => number | undefined;
  /** How long a settled tier-2 run waits to be acted on before its state is dropped. Default 7 days. */
  actionHorizonMs?: number;
}

export interface AutomationStats {
  automation: string;
  /** Every window with a run started in it, in time order. */
  windows: WindowStats[];
  /** All windows together. */
  total: WindowStats;
  /** The groups asked of `result`, each the windows it selects together (empty when none was asked). */
  groups: Record<string, WindowStats>;
  backlog: Backlog;
}

export interface Statistics {
  asOf: string;
  automations: AutomationStats[];
  evals: SuiteEvals[];
}

export interface StatsFold {
  add(e: FoldEvent): void;
  /**
   * The figures so far; backlog ages are measured at `asOf`. The fold can go on
   * after. `groups` names sets of windows to merge (counts add, histograms and
   * sketches merge), e.g. the windows since a tier change.
   */
  result(asOf: string, opts?: ResultOptions): Statistics;
  /** Runs whose state is held: what the fold's memory grows with. */
  readonly openRuns: number;
  /** By automation: outcomes of runs whose start the fold did not see, or whose state it had dropped. */
  readonly unattributed: ReadonlyMap<string, number>;
}

export interface ResultOptions {
  groups?: Readonly<Record<string, (window: string) => boolean>>;
}

interface OpenRun {
  automation: string;
  window: WindowAcc;
  tier: number;
  running: boolean;
  mismatch: boolean;
  awaiting: 'review' | 'approval' | null;
  /** When it started to wait for review or approval (run_finished's time). */
  waitingSince: string | null;
  audit: boolean;
  corrected: boolean;
  /** run_finished's confidence, for the grade a person gives later. */
  confidence: number | null;
  grade: 'correct' | 'wrong' | null;
  reverted: boolean;
  /** Tier 2: until when an action or a reversal can still come (ms); null while not actionable. */
  until: number | null;
  /** Tier 2: the reversibleUntil of its first action_taken that names one (ms). */
  windowEnd: number | null;
  /** Rejected: never actionable again. */
  rejected: boolean;
}

interface AutomationAcc {
  windows: Map<string, WindowAcc>;
}

const DAY = 86_400_000;
const SWEEP_EVERY = 4096;

export function createStatsFold(opts: FoldOptions = {}): StatsFold {
  const windowOf = opts.windowOf ?? allTime;
  const thresholdOf = opts.thresholdOf ?? (() => undefined);
  const horizon = opts.actionHorizonMs ?? 7 * DAY;
  const automations = new Map<string, AutomationAcc>();
  const open = new Map<string, OpenRun>();
  const unattributed = new Map<string, number>();
  const evals = new Map<string, SuiteEvals>();
  let clock = -Infinity;
  let sinceSweep = 0;

  const automationAcc = (id: string): AutomationAcc => {
    let a = automations.get(id);
    if (!a) automations.set(id, (a = { windows: new Map() }));
    return a;
  };

  /** Drops a run once nothing more can change its figures. */
  const settle = (runId: string, r: OpenRun): void => {
    if (!r.running && !r.awaiting && !r.audit && (r.until === null || r.until < clock)) open.delete(runId);
  };

  const sweep = (): void => {
    for (const [id, r] of open) settle(id, r);
  };

  const actionable = (r: OpenRun, atMs: number): void => {
    r.until = r.tier === 2 && !r.rejected ? (r.windowEnd ?? atMs + horizon) : null;
  };

  function add(e: FoldEvent): void {
    const atMs = timeOf(e.at);
    if (atMs === null) return;
    // The time of the event being folded, not the latest seen: one event dated
    // ahead (a host whose clock is wrong, a record written at the real time
    // among back-dated ones) must not make the fold forget runs whose reversal
    // windows are still open for the rest of the log.
    clock = atMs;
    // Sweeping costs the open runs, so sweep no more often than there are open runs: O(1) an event.
    if (++sinceSweep >= Math.max(SWEEP_EVERY, open.size)) {
      sinceSweep = 0;
      sweep();
    }
    if (e.type === 'eval_completed') return addEval(e);
    const runId = e.runId;
    if (!runId || !e.automation) return;
    if (e.type === 'run_started') {
      if (open.has(runId)) return;
      const acc = automationAcc(e.automation);
      const key = windowOf(e.at, e.automation);
      let w = acc.windows.get(key);
      if (!w) acc.windows.set(key, (w = newWindow(key)));
      w.started++;
      open.set(runId, { automation: e.automation, window: w, tier: num(e.data.tier) ?? 1, running: true, mismatch: false, awaiting: null, waitingSince: null, audit: false, corrected: false, confidence: null, grade: null, reverted: false, until: null, windowEnd: null, rejected: false });
      return;
    }
    const r = open.get(runId);
    if (!r) {
      if (COUNTED.has(e.type)) unattributed.set(e.automation, (unattributed.get(e.automation) ?? 0) + 1);
      return;
    }
    const w = r.window;
    switch (e.type) {
      case 'model_mismatch':
        if (r.mismatch || !r.running) break;
        r.mismatch = true;
        w.modelMismatches++;
        break;
      case 'run_finished': {
        if (!r.running) break;
        r.running = false;
        w.finished++;
        const confidence = num(e.data.confidence);
        r.confidence = confidence;
        addConfidence(w, confidence);
        addLatency(w, num(e.data.durationMs));
        const tokens = record(e.data.tokens);
        w.tokens.input += num(tokens.input) ?? 0;
        w.tokens.output += num(tokens.output) ?? 0;
        const cost = num(e.data.costUsd);
        if (cost === null) w.costUnknown++;
        else w.costUsd += cost;
        const disposition = dispositionOf(e.data);
        if (disposition === 'review') {
          w.sentToReview++;
          if (lowConfidence(r, confidence, thresholdOf(r.automation))) w.lowConfidenceReviews++;
          r.awaiting = 'review';
        } else if (disposition === 'approval_required') {
          w.approvalRequired++;
          r.awaiting = 'approval';
        } else actionable(r, atMs);
        if (r.awaiting) r.waitingSince = e.at;
        if (e.data.audit === true) {
          w.audited++;
          r.audit = true;
        }
        break;
      }
      case 'run_failed':
      case 'run_abandoned':
        if (!r.running) break;
        r.running = false;
        if (e.type === 'run_failed') w.failed++;
        else w.abandoned++;
        break;
      case 'review_resolved': {
        const decision = decisionOf(e.data);
        if (!decision) break;
        if (e.data.audit === true) {
          if (!r.audit) break;
          r.audit = false;
          // Grades of sampled auto runs are what calibration reads; they are not review decisions.
          w.auditGrades[decision]++;
          grade(r, decision === 'approve', 'audit');
          break;
        }
        // Decisions are final: the first one logged stands.
        if (!r.awaiting) break;
        grade(r, decision === 'approve', r.awaiting === 'approval' ? 'approval' : 'review');
        r.awaiting = null;
        r.waitingSince = null;
        if (decision === 'approve') w.approvals++;
        else if (decision === 'override') w.overrides++;
        else w.rejections++;
        if (decision !== 'approve') correct(r);
        if (decision === 'reject') {
          r.rejected = true;
          r.until = null;
        } else actionable(r, atMs);
        break;
      }
      case 'action_taken': {
        // The first action that names its reversal window sets it; one that names none leaves the window as it was.
        if (r.windowEnd !== null || r.tier !== 2) break;
        r.windowEnd = timeOf(e.data.reversibleUntil);
        if (r.windowEnd !== null && r.until !== null) r.until = r.windowEnd;
        break;
      }
      case 'action_reverted':
        // A reversal command that failed is recorded as evidence, but the action stands; one after the window is refused.
        if (r.until === null || atMs > r.until || record(e.data.result).ok === false) break;
        w.reverted++;
        correct(r);
        r.until = null;
        r.reverted = true;
        if (r.grade === 'correct') {
          r.grade = 'wrong';
          regradeWrong(w.graded, r.confidence);
        }
        break;
    }
    settle(runId, r);
  }

  function correct(r: OpenRun): void {
    if (r.corrected) return;
    r.corrected = true;
    r.window.corrected++;
  }

  /** A run is graded once, by the first person who judges it; one already reverted is wrong whatever the grade. */
  function grade(r: OpenRun, approved: boolean, source: GradeSource): void {
    if (r.grade) return;
    const correct = approved && !r.reverted;
    r.grade = correct ? 'correct' : 'wrong';
    addGrade(r.window.graded, r.confidence, correct, source);
  }

  function addEval(e: FoldEvent): void {
    const rec = evalRecord(e);
    if (!rec) return;
    const s = evals.get(rec.suite);
    if (!s) {
      evals.set(rec.suite, { suite: rec.suite, last: rec, targets: [rec] });
      return;
    }
    s.last = rec;
    const key = targetKey(rec);
    s.targets = [rec, ...s.targets.filter((t) => targetKey(t) !== key)];
  }

  function result(asOf: string, ropts: ResultOptions = {}): Statistics {
    const now = timeOf(asOf) ?? clock;
    const backlogs = new Map<string, Backlog>();
    for (const r of open.values()) {
      if (!r.awaiting || !r.waitingSince) continue;
      let b = backlogs.get(r.automation);
      if (!b) backlogs.set(r.automation, (b = emptyBacklog()));
      addWaiting(b, r.awaiting, r.waitingSince, now);
    }
    const ids = [...automations.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      asOf,
      automations: ids.map((id) => {
        const acc = automations.get(id)!;
        const windows = [...acc.windows.values()].sort((a, b) => (a.window < b.window ? -1 : a.window > b.window ? 1 : 0));
        const groups = Object.fromEntries(
          Object.entries(ropts.groups ?? {}).map(([name, select]) => [name, windowStats(mergeWindows(name, windows.filter((w) => select(w.window))))]),
        );
        return { automation: id, windows: windows.map(windowStats), total: windowStats(mergeWindows('total', windows)), groups, backlog: backlogs.get(id) ?? emptyBacklog() };
      }),
      evals: [...evals.values()].sort((a, b) => (a.suite < b.suite ? -1 : a.suite > b.suite ? 1 : 0)),
    };
  }

  return {
    add,
    result,
    get openRuns() {
      return open.size;
    },
    unattributed,
  };
}

/** The events that change a run's figures: one about a run the fold never saw start is unattributed. */
const COUNTED = new Set(['run_finished', 'run_failed', 'run_abandoned', 'review_resolved', 'action_reverted', 'model_mismatch']);

function lowConfidence(r: OpenRun, confidence: number | null, threshold: number | undefined): boolean {
  if (!r.mismatch) return true;
  return threshold !== undefined && (confidence === null || confidence < threshold);
}

/** Folds a whole sequence at once. */
export function foldEvents(events: Iterable<FoldEvent>, asOf: string, opts: FoldOptions = {}): Statistics {
  const fold = createStatsFold(opts);
  for (const e of events) fold.add(e);
  return fold.result(asOf);
}
