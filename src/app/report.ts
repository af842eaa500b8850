// `aigov report --month M`: the statistics of the run log (the runs table's
// aggregates, read-stats.ts), the workspace's automations, and the flags of
// core/report; `--sign-off` records the review.
import { UsageError } from '../errors.js';
import { automationInfos } from '../core/report/automation-info.js';
import { isMonth, monthOf } from '../core/report/month.js';
import { buildMonthlyReport, monthlyBoundaries, monthlyCuts, monthlyGroups, monthlyWindowOf, type MonthlyReport } from '../core/report/monthly.js';
import type { Workspace } from '../core/workspace/workspace.js';
import type { Store } from '../store/types.js';
import { readStats } from './read-stats.js';
import { lastTierChanges, signedOffMonths } from './review-log.js';

export function checkMonth(month: string, now: Date): void {
  if (!isMonth(month)) throw new UsageError(`--month ${month}: not a month`, { hint: 'YYYY-MM, e.g. 2026-11' });
  if (month > monthOf(now.toISOString())) throw new UsageError(`--month ${month} has not begun`, { hint: `the latest month to report on is ${monthOf(now.toISOString())}` });
}

export async function monthlyReport(store: Store, ws: Workspace, opts: { month: string; now: Date }): Promise<MonthlyReport> {
  checkMonth(opts.month, opts.now);
  const asOf = opts.now.toISOString();
  const [tierChangedAt, signedOff] = await Promise.all([lastTierChanges(store), signedOffMonths(store)]);
  const infos = automationInfos(ws);
  const thresholds = new Map(infos.map((a) => [a.id, a.threshold]));
  const { endOfPrevious, endOfMonth } = monthlyBoundaries(opts.month);
  const { stats, snapshots } = await readStats(store, {
    asOf,
    windowOf: monthlyWindowOf(tierChangedAt),
    cuts: monthlyCuts(tierChangedAt),
    thresholds,
    result: monthlyGroups(opts.month),
    snapshotsAt: [endOfPrevious, endOfMonth],
  });
  return buildMonthlyReport({ month: opts.month, asOf, automations: infos, stats, endOfPrevious: snapshots.get(endOfPrevious)!, endOfMonth: snapshots.get(endOfMonth)!, signedOff });
}

/** Logs `review_completed` for the month, one event per automation in the report with the flags it had, in one append. */
export async function signOff(store: Store, report: MonthlyReport, by: string, now: Date): Promise<number> {
  const events = report.automations.map((a) => ({
    type: 'review_completed' as const,
    automation: a.id,
    actor: by,
    at: now.toISOString(),
    data: { month: report.month, by, flags: a.flags.map((f) => f.code) },
  }));
  if (events.length) await store.append(events);
  return events.length;
}

