// The stats fold's result from the runs table's aggregates instead of its
// events: the store counts the runs rows by automation, by cell of time and by
// hundredth of confidence (or latency bucket) in SQL, and this puts the cells
// together into the windows the fold would have made. What needs the order of
// a run's events (a revert inside its window) comes from the few reverted
// runs' rows, judged here by the fold's rule. Pure.
import { addWaiting, emptyBacklog, type Backlog } from './backlog.js';
import type { SuiteEvals } from './evals.js';
import type { ResultOptions, Statistics } from './fold.js';
import { regradeWrong } from './graded.js';
import { addToBucket } from './sketch.js';
import type { Snapshot } from './snapshot.js';
import { mergeWindows, newWindow, windowStats, type WindowAcc } from './window-stats.js';
import type { RunRecord } from '../log/derived.js';

const DAY = 86_400_000;

/**
 * Where a window of the fold can change, besides the month of a run's start:
 * instants for every automation (`at`), and one more for some (`byAutomation`:
 * before it, or at or after it). The fold's `windowOf` must give one window for
 * every start in the same month between the same cuts.
 */
export interface WindowCuts {
  at: readonly string[];
  byAutomation?: ReadonlyMap<string, string>;
}

/** The counts of one cell: an automation's runs that started in one month between the same cuts, with one hundredth of confidence. */
export const CELL_COUNTS = [
  'started',
  'finished',
  'failed',
  'abandoned',
  'modelMismatches',
  'sentToReview',
  'lowConfidenceReviews',
  'approvalRequired',
  'approvals',
  'overrides',
  'rejections',
  'corrected',
  'audited',
  'auditApprove',
  'auditOverride',
  'auditReject',
  'tokensIn',
  'tokensOut',
  'costUsd',
  'costUnknown',
  'unknownConfidence',
  'binned',
  'gradedReview',
  'gradedApproval',
  'gradedAudit',
  'gradedUnknown',
  'gradedN',
  'gradedWrong',
  'sumConfidence',
  'sumConfidenceSq',
  'sumConfidenceWrong',
] as const;
export type CellCount = (typeof CELL_COUNTS)[number];

export interface RunCell extends Record<CellCount, number> {
  automation: string;
  /** The earliest start in the cell: what names its window. */
  firstStart: string;
  /** The finished runs' hundredth of confidence (`percentBin`) and tenth (the histogram's bin); null for the rest. */
  percent: number | null;
  bin: number | null;
}

/** Finished runs' latencies: the sketch bucket, null for zero. */
export interface LatencyCell {
  automation: string;
  firstStart: string;
  bucket: number | null;
  count: number;
}

/** Runs waiting for a person, by automation and kind, as of one instant. */
export interface WaitingCell {
  automation: string;
  kind: 'review' | 'approval';
  count: number;
  oldestAt: string;
  underDay: number;
  underWeek: number;
  underMonth: number;
}

export interface RunAggregates {
  cells: RunCell[];
  latency: LatencyCell[];
  /** The rows of the runs with a revert that succeeded. */
  reverted: RunRecord[];
  /** What waits now (every event counted). */
  waiting: WaitingCell[];
}

/** The bounds of the age buckets of `addWaiting`, for an instant: what waits since after each is younger than it. */
export function ageBounds(asOfMs: number): { day: string; week: string; month: string } {
  const iso = (ms: number) => new Date(ms).toISOString();
  return { day: iso(asOfMs - DAY), week: iso(asOfMs - 7 * DAY), month: iso(asOfMs - 31 * DAY) };
}

export interface AggregateInput {
  asOf: string;
  aggregates: RunAggregates;
  evals: SuiteEvals[];
  windowOf: (at: string, automation: string) => string;
  actionHorizonMs?: number;
  result?: ResultOptions;
}

/** The Statistics the fold gives over the same log with the same options (sums of decimals up to their order of addition). */
export function statisticsFromAggregates(input: AggregateInput): Statistics {
  const { aggregates, windowOf } = input;
  const horizon = input.actionHorizonMs ?? 7 * DAY;
  const byAutomation = new Map<string, Map<string, WindowAcc>>();
  const windowAcc = (automation: string, start: string): WindowAcc => {
    let ws = byAutomation.get(automation);
    if (!ws) byAutomation.set(automation, (ws = new Map()));
    const key = windowOf(start, automation);
    let w = ws.get(key);
    if (!w) ws.set(key, (w = newWindow(key)));
    return w;
  };
  for (const c of aggregates.cells) addCell(windowAcc(c.automation, c.firstStart), c);
  for (const l of aggregates.latency) {
    const w = windowAcc(l.automation, l.firstStart);
    w.latency.count += l.count;
    if (l.bucket === null) w.latency.zeros += l.count;
    else addToBucket(w.latency, l.bucket, l.count);
  }
  for (const r of aggregates.reverted) {
    if (r.automation === null || !revertCounts(r, horizon)) continue;
    const w = windowAcc(r.automation, r.startedAt);
    w.reverted++;
    const decided = decidedOf(r);
    if (decided !== 'override' && decided !== 'reject') w.corrected++;
    const grade = gradeOf(r);
    if (grade === 'approve') regradeWrong(w.graded, r.confidence);
  }
  const backlogs = backlogsOf(aggregates.waiting, input.asOf);
  const ids = [...byAutomation.keys()].sort(compare);
  return {
    asOf: input.asOf,
    automations: ids.map((id) => {
      const windows = [...byAutomation.get(id)!.values()].sort((a, b) => compare(a.window, b.window));
      const groups = Object.fromEntries(Object.entries(input.result?.groups ?? {}).map(([name, select]) => [name, windowStats(mergeWindows(name, windows.filter((w) => select(w.window))))]));
      return { automation: id, windows: windows.map(windowStats), total: windowStats(mergeWindows('total', windows)), groups, backlog: backlogs.get(id) ?? emptyBacklog() };
    }),
    evals: input.evals,
  };
}

/** A Snapshot from what waited at its instant and the evals logged before it. */
export function snapshotFromAggregates(asOf: string, waiting: readonly WaitingCell[], evals: SuiteEvals[]): Snapshot {
  const backlogs = backlogsOf(waiting, asOf);
  return { asOf, automations: [...backlogs.keys()].sort(compare).map((automation) => ({ automation, backlog: backlogs.get(automation)! })), evals };
}

function backlogsOf(waiting: readonly WaitingCell[], asOf: string): Map<string, Backlog> {
  const now = Date.parse(asOf);
  const out = new Map<string, Backlog>();
  for (const c of [...waiting].sort((a, b) => compare(a.automation, b.automation) || compare(a.kind, b.kind))) {
    if (c.count === 0) continue;
    let b = out.get(c.automation);
    if (!b) out.set(c.automation, (b = emptyBacklog()));
    // One run through addWaiting for the oldest, so oldestAt is set as the fold sets it; the rest by their counts.
    addWaiting(b, c.kind, c.oldestAt, now);
    b.count += c.count - 1;
    b[c.kind] += c.count - 1;
    const older = c.count - c.underMonth;
    const counts = { underDay: c.underDay, underWeek: c.underWeek - c.underDay, underMonth: c.underMonth - c.underWeek, older };
    const first = ageOf(now - Date.parse(c.oldestAt));
    counts[first]--;
    for (const k of ['underDay', 'underWeek', 'underMonth', 'older'] as const) b.ages[k] += counts[k];
  }
  return out;
}

function ageOf(age: number): 'underDay' | 'underWeek' | 'underMonth' | 'older' {
  return age < DAY ? 'underDay' : age < 7 * DAY ? 'underWeek' : age < 31 * DAY ? 'underMonth' : 'older';
}

function addCell(w: WindowAcc, c: RunCell): void {
  w.started += c.started;
  w.finished += c.finished;
  w.failed += c.failed;
  w.abandoned += c.abandoned;
  w.modelMismatches += c.modelMismatches;
  w.sentToReview += c.sentToReview;
  w.lowConfidenceReviews += c.lowConfidenceReviews;
  w.approvalRequired += c.approvalRequired;
  w.approvals += c.approvals;
  w.overrides += c.overrides;
  w.rejections += c.rejections;
  w.corrected += c.corrected;
  w.audited += c.audited;
  w.auditGrades.approve += c.auditApprove;
  w.auditGrades.override += c.auditOverride;
  w.auditGrades.reject += c.auditReject;
  w.tokens.input += c.tokensIn;
  w.tokens.output += c.tokensOut;
  w.costUsd += c.costUsd;
  w.costUnknown += c.costUnknown;
  w.unknownConfidence += c.unknownConfidence;
  const g = w.graded;
  g.by.review += c.gradedReview;
  g.by.approval += c.gradedApproval;
  g.by.audit += c.gradedAudit;
  g.unknownConfidence += c.gradedUnknown;
  if (c.percent !== null && c.bin !== null) {
    w.percent[c.percent] += c.binned;
    w.bins[c.bin] += c.binned;
    g.n[c.percent] += c.gradedN;
    g.wrong[c.percent] += c.gradedWrong;
    g.sumConfidence[c.percent] += c.sumConfidence;
    g.sumConfidenceSq[c.percent] += c.sumConfidenceSq;
    g.sumConfidenceWrong[c.percent] += c.sumConfidenceWrong;
  }
}

const finished = (r: RunRecord) => r.ended === 'finished' && r.endSeq !== null;
const awaited = (r: RunRecord) => r.disposition === 'review' || r.disposition === 'approval_required';

/** The decision the fold counts: the first one after the run finished waiting for it. */
function decidedOf(r: RunRecord): string | null {
  return finished(r) && awaited(r) && r.decisionSeq !== null && r.decisionSeq > r.endSeq! ? r.decision : null;
}

/** The audit grade the fold counts: the first audit review after a finish that sampled the run. */
function auditOf(r: RunRecord): string | null {
  return finished(r) && r.audit !== null && r.auditSeq !== null && r.auditSeq > r.endSeq! ? r.auditGrade : null;
}

/** The first grade a person gave (a decision or an audit grade), before a revert makes it wrong. */
function gradeOf(r: RunRecord): string | null {
  const decided = decidedOf(r);
  const audit = auditOf(r);
  if (decided !== null && (audit === null || r.decisionSeq! < r.auditSeq!)) return decided;
  return audit;
}

/** The fold's rule (fold.ts): a revert counts at tier 2, once the run is actionable, inside its reversal window. */
export function revertCounts(r: RunRecord, horizonMs: number): boolean {
  if ((r.tier ?? 1) !== 2 || r.revertSeq === null || r.revertAt === null || !finished(r) || r.revertSeq < r.endSeq!) return false;
  let since: string;
  if (awaited(r)) {
    const decided = decidedOf(r);
    if (decided === null || decided === 'reject' || r.decisionSeq! > r.revertSeq) return false;
    since = r.decisionAt!;
  } else since = r.finishedAt!;
  const windowEnd = r.reversibleUntil === null ? Number.NaN : Date.parse(r.reversibleUntil);
  const until = Number.isNaN(windowEnd) ? Date.parse(since) + horizonMs : windowEnd;
  return Date.parse(r.revertAt) <= until;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
