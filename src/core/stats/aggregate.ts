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

/**
 * One class of runs in one cell of time: an automation's runs that started in
 * one month between the same cuts and have the same values of everything the
 * fold tells apart (how they ended, their hundredth of confidence, decision,
 * audit), with their count and the sums of
 * what is summed. The store groups the runs table by these in SQL; `addClass`
 * says what each class counts as, by the fold's rules.
 */
export interface RunClass {
  automation: string;
  /** The earliest start in the class: what names its window. */
  firstStart: string;
  /** The hundredth of confidence (`percentBin`) and the tenth (the histogram's bin); null without a confidence in 0..1. */
  percent: number | null;
  bin: number | null;
  /** How the run first ended. */
  ended: 'finished' | 'failed' | 'abandoned' | null;
  /** A model mismatch logged while it ran. */
  mismatch: boolean;
  disposition: string | null;
  /** The first review decision, if it came after the run finished. */
  decision: string | null;
  /** The audit column: 'pending' or 'done' once sampled. */
  audit: string | null;
  /** The first audit review came before the run finished. */
  auditBeforeEnd: boolean;
  /** The first audit review's grade, if it came after the run finished. */
  auditGrade: string | null;
  /** The first audit review came before the first decision. */
  auditFirst: boolean;
  costUnknown: boolean;
  /** Under the automation's threshold (or without a confidence); false without a threshold. */
  belowThreshold: boolean;
  count: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  sumConfidence: number;
  sumConfidenceSq: number;
}

/** Finished runs' latencies: the sketch bucket, null for zero. */
export interface LatencyCell {
  automation: string;
  firstStart: string;
  bucket: number | null;
  count: number;
}

/** Runs waiting for a person, by automation and kind, and by age bucket, as of one instant. */
export interface WaitingCell {
  automation: string;
  kind: 'review' | 'approval';
  oldestAt: string;
  ages: [number, number, number, number];
}

/** Runs waiting for a person at one instant, of one automation and kind, in one age bucket of `addWaiting` (0 under a day … 3 older). */
export interface WaitingGroup {
  automation: string;
  kind: 'review' | 'approval';
  age: number;
  count: number;
  /** The earliest finish among them: the oldest waiting. */
  oldestFinish: string | null;
}

export interface RunAggregates {
  classes: RunClass[];
  latency: LatencyCell[];
  /** What waits now. */
  waiting: WaitingGroup[];
  /** What waited at each instant asked for, in order. */
  waitingAt: WaitingGroup[][];
  /** The rows of the runs with a revert that succeeded. */
  reverted: RunRecord[];
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
  for (const c of aggregates.classes) addClass(windowAcc(c.automation, c.firstStart), c);
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
  const backlogs = backlogsOf(waitingOf(aggregates.waiting), input.asOf);
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

/** The groups of runs waiting, by automation and kind. */
function waitingOf(groups: readonly WaitingGroup[]): WaitingCell[] {
  const out = new Map<string, WaitingCell>();
  for (const g of groups) {
    if (g.oldestFinish === null) continue;
    const key = `${g.automation}\u0000${g.kind}`;
    let w = out.get(key);
    if (!w) out.set(key, (w = { automation: g.automation, kind: g.kind, oldestAt: g.oldestFinish, ages: [0, 0, 0, 0] }));
    w.ages[g.age] += g.count;
    if (Date.parse(g.oldestFinish) < Date.parse(w.oldestAt)) w.oldestAt = g.oldestFinish;
  }
  return [...out.values()];
}

/** A Snapshot from what waited at the instant of index `at` among those asked for, and the evals logged before it. */
export function snapshotFromAggregates(asOf: string, aggregates: RunAggregates, at: number, evals: SuiteEvals[]): Snapshot {
  const backlogs = backlogsOf(waitingOf(aggregates.waitingAt[at]), asOf);
  return { asOf, automations: [...backlogs.keys()].sort(compare).map((automation) => ({ automation, backlog: backlogs.get(automation)! })), evals };
}

function backlogsOf(waiting: readonly WaitingCell[], asOf: string): Map<string, Backlog> {
  const now = Date.parse(asOf);
  const out = new Map<string, Backlog>();
  for (const c of [...waiting].sort((a, b) => compare(a.automation, b.automation) || compare(a.kind, b.kind))) {
    const count = c.ages.reduce((n, x) => n + x, 0);
    if (count === 0) continue;
    let b = out.get(c.automation);
    if (!b) out.set(c.automation, (b = emptyBacklog()));
    // One run through addWaiting, the oldest, so oldestAt is set as the fold sets it; the rest by their counts.
    addWaiting(b, c.kind, c.oldestAt, now);
    b.count += count - 1;
    b[c.kind] += count - 1;
    const ages = [...c.ages];
    ages[AGES.indexOf(ageOf(now - Date.parse(c.oldestAt)))]--;
    AGES.forEach((k, i) => (b.ages[k] += ages[i]));
  }
  return out;
}

const AGES = ['underDay', 'underWeek', 'underMonth', 'older'] as const;

function ageOf(age: number): 'underDay' | 'underWeek' | 'underMonth' | 'older' {
  return age < DAY ? 'underDay' : age < 7 * DAY ? 'underWeek' : age < 31 * DAY ? 'underMonth' : 'older';
}

/** What a class of runs counts as: the fold's rules (fold.ts) over the values that tell the classes apart. */
function addClass(w: WindowAcc, c: RunClass): void {
  const n = c.count;
  w.started += n;
  if (c.mismatch) w.modelMismatches += n;
  if (c.ended === 'failed') w.failed += n;
  if (c.ended === 'abandoned') w.abandoned += n;
  if (c.ended !== 'finished') return;
  w.finished += n;
  w.tokens.input += c.tokensIn;
  w.tokens.output += c.tokensOut;
  w.costUsd += c.costUsd;
  if (c.costUnknown) w.costUnknown += n;
  const usable = c.percent !== null && c.bin !== null;
  if (usable) {
    w.percent[c.percent!] += n;
    w.bins[c.bin!] += n;
  } else w.unknownConfidence += n;
  const review = c.disposition === 'review';
  const approval = c.disposition === 'approval_required';
  if (review) {
    w.sentToReview += n;
    if (!c.mismatch || c.belowThreshold) w.lowConfidenceReviews += n;
  }
  if (approval) w.approvalRequired += n;
  const decided = (review || approval) && isDecision(c.decision) ? c.decision : null;
  if (decided === 'approve') w.approvals += n;
  if (decided === 'override') w.overrides += n;
  if (decided === 'reject') w.rejections += n;
  if (decided === 'override' || decided === 'reject') w.corrected += n;
  const sampled = c.audit !== null && !c.auditBeforeEnd;
  if (sampled) w.audited += n;
  const audit = c.audit !== null && isDecision(c.auditGrade) ? c.auditGrade : null;
  if (audit) w.auditGrades[audit] += n;
  const decisionFirst = decided !== null && !(audit !== null && c.auditFirst);
  const grade = decisionFirst ? decided : audit;
  if (grade === null) return;
  const g = w.graded;
  g.by[decisionFirst ? (review ? 'review' : 'approval') : 'audit'] += n;
  if (!usable) {
    g.unknownConfidence += n;
    return;
  }
  const k = c.percent!;
  g.n[k] += n;
  g.sumConfidence[k] += c.sumConfidence;
  g.sumConfidenceSq[k] += c.sumConfidenceSq;
  if (grade !== 'approve') {
    g.wrong[k] += n;
    g.sumConfidenceWrong[k] += c.sumConfidence;
  }
}

const isDecision = (d: string | null): d is 'approve' | 'override' | 'reject' => d === 'approve' || d === 'override' || d === 'reject';

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
