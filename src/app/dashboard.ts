// `aigov dashboard`: the statistics of the run log for a window of time (the
// runs table's aggregates, read-stats.ts), every automation of the workspace,
// their figures and flags.
import { UsageError } from '../errors.js';
import { automationInfos } from '../core/report/automation-info.js';
import { buildDashboard, dashboardCuts, dashboardGroups, dashboardWindowOf, type Dashboard } from '../core/report/dashboard.js';
import { parseDuration } from '../core/duration.js';
import type { Workspace } from '../core/workspace/workspace.js';
import type { Store } from '../store/types.js';
import { readStats } from './read-stats.js';
import { signedOffMonths } from './review-log.js';

export const DEFAULT_SINCE = '30d';

/** `30d`, `12h` (back from `now`) or an ISO date or time. */
export function parseSince(text: string, now: Date, flag = '--since'): Date {
  if (/^\d+(ms|s|m|h|d)$/.test(text)) return new Date(now.getTime() - parseDuration(text));
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text))) return new Date(text);
  throw new UsageError(`${flag} ${text}: not a duration or a date`, { hint: 'e.g. 30d, 12h, 2026-11-01 or 2026-11-01T08:00:00Z' });
}

export async function dashboard(store: Store, ws: Workspace, opts: { since: Date; until: Date; now: Date }): Promise<Dashboard> {
  if (opts.since >= opts.until) throw new UsageError('--since must be before --until');
  const since = opts.since.toISOString();
  const until = opts.until.toISOString();
  const infos = automationInfos(ws);
  const thresholds = new Map(infos.map((a) => [a.id, a.threshold]));
  const asOf = opts.now.toISOString();
  const [{ stats, snapshots }, signedOff] = await Promise.all([
    readStats(store, { asOf, windowOf: dashboardWindowOf(since, until), cuts: dashboardCuts(since, until), thresholds, result: dashboardGroups(since, until), snapshotsAt: [until] }),
    signedOffMonths(store),
  ]);
  return buildDashboard({ since, until, automations: infos, stats, atUntil: snapshots.get(until)!, signedOff });
}
