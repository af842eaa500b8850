// `aigov dashboard`: every automation in one view over a window of time, from
// the same fold and the same figures as the monthly report, so a rate on the
// dashboard is the report's rate for the same window. Pure.
import { emptyBacklog, type Backlog } from '../stats/backlog.js';
import { evalEvidence } from '../stats/evals.js';
import type { WindowCuts } from '../stats/aggregate.js';
import type { ResultOptions, Statistics } from '../stats/fold.js';
import type { Snapshot } from '../stats/snapshot.js';
import { errorRate, overrideRate } from '../stats/rates.js';
import { byMonth, byWeek, isCanonicalTime } from '../stats/windows.js';
import { newWindow, windowStats } from '../stats/window-stats.js';
import { CADENCE_MS } from '../tiers/policy.js';
import type { AutomationInfo } from './automation-info.js';
import { figures, lastEvalOf, type Figures } from './figures.js';
import { monthOf } from './month.js';
import { orphan } from './monthly.js';
import { reviewMissed } from './review-missed.js';

export const DASHBOARD_FLAGS = ['review_overdue', 'eval_failing', 'model_mismatch', 'tier_drift', 'lock_drift', 'review_missed'] as const;
export type DashboardFlag = (typeof DASHBOARD_FLAGS)[number];

/** How much each flag asks for attention: rows sort by the sum, then by their error and override rates. */
const WEIGHT: Readonly<Record<DashboardFlag, number>> = { review_overdue: 5, eval_failing: 4, model_mismatch: 3, tier_drift: 3, lock_drift: 2, review_missed: 2 };

export interface WeekFigures {
  week: string;
  runs: number;
  finished: number;
  errorRate: number | null;
  overrideRate: number | null;
}

export interface DashboardRow extends Omit<Figures, 'reviewBacklog'> {
  id: string;
  name: string;
  owner: string;
  tier: number;
  reviewBacklog: Backlog;
  flags: DashboardFlag[];
  /** Each flag in a sentence, in the order of `flags`. */
  flagDetails: string[];
  /** Every ISO week the window touches, oldest first. */
  weekly: WeekFigures[];
}

export interface Dashboard {
  since: string;
  until: string;
  automations: DashboardRow[];
}

/** A window of the dashboard's fold: the week of the run's start inside [since, until), `before` or `after` outside it; with the month, for the review period. */
export function dashboardWindowOf(since: string, until: string): (at: string) => string {
  const s = new Date(Date.parse(since)).toISOString();
  const u = new Date(Date.parse(until)).toISOString();
  return (at) => {
    const t = isCanonicalTime(at) ? at : new Date(Date.parse(at)).toISOString();
    return `${t < s ? 'before' : t >= u ? 'after' : byWeek(t)} ${byMonth(t)}`;
  };
}

/** Where `dashboardWindowOf` changes besides the month: at `since`, at `until`, and at each Monday between. */
export function dashboardCuts(since: string, until: string): WindowCuts {
  const s = Date.parse(since);
  const u = Date.parse(until);
  const at = [new Date(s).toISOString(), new Date(u).toISOString()];
  const day = new Date(s);
  for (let t = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()) + 86_400_000; t < u; t += 86_400_000) {
    if (new Date(t).getUTCDay() === 1) at.push(new Date(t).toISOString());
  }
  return { at };
}

/** The ISO weeks from `since` to `until`, oldest first. */
export function weeksBetween(since: string, until: string): string[] {
  const weeks: string[] = [];
  const end = Date.parse(until);
  for (let t = Date.parse(since); t < end; t += 86_400_000) {
    const w = byWeek(new Date(t).toISOString());
    if (weeks.at(-1) !== w) weeks.push(w);
  }
  return weeks;
}

export function dashboardGroups(since: string, until: string): ResultOptions {
  const groups: Record<string, (w: string) => boolean> = { window: (w) => !w.startsWith('before') && !w.startsWith('after') };
  for (const week of weeksBetween(since, until)) groups[`week ${week}`] = (w) => w.startsWith(`${week} `);
  return { groups };
}

export interface DashboardInput {
  since: string;
  until: string;
  automations: readonly AutomationInfo[];
  /** The fold over the whole log with `dashboardWindowOf` and `dashboardGroups`. */
  stats: Statistics;
  /** The backlog and evals as they stood at `until`. */
  atUntil: Snapshot;
  signedOff: ReadonlyMap<string, ReadonlySet<string>>;
}

export function buildDashboard(input: DashboardInput): Dashboard {
  const empty = windowStats(newWindow('none'));
  const weeks = weeksBetween(input.since, input.until);
  const known = new Set(input.automations.map((a) => a.id));
  // Runs in the log of an automation whose file is gone are shown too.
  const orphans = input.stats.automations.filter((a) => !known.has(a.automation) && (a.groups.window?.started ?? 0) > 0).map((a) => orphan(a.automation));
  const rows = [...input.automations, ...orphans].map((info): DashboardRow => {
    const s = input.stats.automations.find((a) => a.automation === info.id);
    const w = s?.groups.window ?? empty;
    const backlog = input.atUntil.automations.find((a) => a.automation === info.id)?.backlog ?? emptyBacklog();
    const fig = figures(w, backlog, lastEvalOf(input.atUntil.evals, info.suites));
    const flagged: [DashboardFlag, string][] = [];
    const waited = backlog.oldestAt === null ? 0 : Date.parse(input.until) - Date.parse(backlog.oldestAt);
    if (waited > CADENCE_MS[info.cadence]) flagged.push(['review_overdue', `a run has waited ${Math.floor(waited / 86_400_000)} days for review, longer than the ${info.cadence} cadence`]);
    const failing = info.suites.flatMap((suite) => {
      const r = (info.evalTarget && evalEvidence(input.atUntil.evals, suite, info.evalTarget)) || input.atUntil.evals.find((e) => e.suite === suite)?.last;
      return r && !r.passed ? [`${suite} failed${r.passRate === null ? '' : ` (${Number((r.passRate * 100).toFixed(1))}% passed)`} on ${r.at.slice(0, 10)}`] : [];
    });
    if (failing.length) flagged.push(['eval_failing', failing.join('; ')]);
    if (w.modelMismatches) flagged.push(['model_mismatch', `${w.modelMismatches} runs answered by another model than the lock's`]);
    if (info.tierDrift) flagged.push(['tier_drift', `the file says tier ${info.fileTier}, the lock records tier ${info.lockTier}`]);
    if (info.drift.length) flagged.push(['lock_drift', info.drift.join('; ')]);
    const runsIn = (m: string) => (s?.windows ?? []).filter((x) => x.window.endsWith(` ${m}`)).reduce((n, x) => n + x.started, 0);
    const missed = reviewMissed(monthOf(input.until), info.cadence, input.signedOff.get(info.id) ?? new Set(), runsIn);
    if (missed) flagged.push(['review_missed', `no review signed off for ${missed.period.join(', ')}`]);
    return {
      id: info.id,
      name: info.name,
      owner: info.owner,
      tier: info.tier,
      ...fig,
      reviewBacklog: backlog,
      flags: flagged.map(([f]) => f),
      flagDetails: flagged.map(([, d]) => d),
      weekly: weeks.map((week) => {
        const g = s?.groups[`week ${week}`] ?? empty;
        return { week, runs: g.started, finished: g.finished, errorRate: errorRate(g), overrideRate: overrideRate(g) };
      }),
    };
  });
  return { since: input.since, until: input.until, automations: rows.sort(byAttention) };
}

const attention = (r: DashboardRow) => r.flags.reduce((s, f) => s + WEIGHT[f], 0);

function byAttention(a: DashboardRow, b: DashboardRow): number {
  return attention(b) - attention(a) || (b.errorRate ?? 0) + (b.overrideRate ?? 0) - ((a.errorRate ?? 0) + (a.overrideRate ?? 0)) || b.reviewBacklog.count - a.reviewBacklog.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** `--json`: SPEC's fields, plus the charts' data. */
export function dashboardJson(d: Dashboard): unknown {
  return {
    since: d.since,
    until: d.until,
    automations: d.automations.map((r) => ({
      id: r.id,
      name: r.name,
      owner: r.owner,
      tier: r.tier,
      runs: r.runs,
      errorRate: r.errorRate,
      overrideRate: r.overrideRate,
      lowConfidenceRate: r.lowConfidenceRate,
      reviewBacklog: { count: r.reviewBacklog.count, oldestAt: r.reviewBacklog.oldestAt },
      medianConfidence: r.medianConfidence,
      costUsd: r.costUsd,
      lastEval: r.lastEval && { suite: r.lastEval.suite, passRate: r.lastEval.passRate, at: r.lastEval.at },
      flags: r.flags,
      flagDetails: r.flagDetails,
      calibration: r.calibration,
      confidenceHistogram: r.confidenceHistogram,
      weekly: r.weekly,
    })),
  };
}
