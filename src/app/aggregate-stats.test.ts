// The runs table's aggregates against the fold, the reference: the same
// Statistics and snapshots, deep-equal (sums of decimals to 12 significant
// digits, since SQL adds them in another order), over a log with every case the
// fold tells apart, on each store, for the dashboard's, the report's and
// calibrate's requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_BACKENDS, type LogStore } from '../../test/support/log-stores.js';
import { writeVariedLog } from '../../test/support/varied-log.js';
import { dashboardCuts, dashboardGroups, dashboardWindowOf } from '../core/report/dashboard.js';
import { monthlyBoundaries, monthlyCuts, monthlyGroups, monthlyWindowOf } from '../core/report/monthly.js';
import { foldLog, readStats, type StatsRequest } from './read-stats.js';
import { lastTierChanges } from './review-log.js';

const UNTIL = new Date('2026-11-20T00:00:00.000Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Every number that is not whole, to 12 significant digits. */
function rounded(x: unknown): unknown {
  if (typeof x === 'number') return Number.isInteger(x) ? x : Number(x.toPrecision(12));
  if (Array.isArray(x)) return x.map(rounded);
  if (x instanceof Map) return new Map([...x].map(([k, v]) => [k, rounded(v)]));
  if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, rounded(v)]));
  return x;
}

describe.each(LOG_BACKENDS)('the aggregates give what the fold gives ($name)', (backend) => {
  let log: LogStore;
  const thresholds = new Map<string, number | undefined>([
    ['inv', 0.8],
    ['route', 0.7],
    ['triage', undefined],
    ['gone', 0.75],
  ]);
  const requests: [string, () => Promise<StatsRequest>][] = [
    ['the whole log, one window', async () => ({ asOf: iso(UNTIL.getTime()), thresholds })],
    [
      "the dashboard's window",
      async () => {
        const since = iso(UNTIL.getTime() - 30 * DAY);
        const until = iso(UNTIL.getTime() - 2 * DAY);
        return { asOf: iso(UNTIL.getTime()), windowOf: dashboardWindowOf(since, until), cuts: dashboardCuts(since, until), thresholds, result: dashboardGroups(since, until), snapshotsAt: [until] };
      },
    ],
    [
      "the report's months",
      async () => {
        const tierChangedAt = await lastTierChanges(log.store);
        const month = '2026-10';
        const { endOfPrevious, endOfMonth } = monthlyBoundaries(month);
        return { asOf: iso(UNTIL.getTime()), windowOf: monthlyWindowOf(tierChangedAt), cuts: monthlyCuts(tierChangedAt), thresholds, result: monthlyGroups(month), snapshotsAt: [endOfPrevious, endOfMonth, iso(UNTIL.getTime() + DAY)] };
      },
    ],
    [
      // cuts inside a day: that day's runs are grouped one by one, the other days' by day
      "the dashboard's window from the middle of a day to the middle of another",
      async () => {
        const since = iso(UNTIL.getTime() - 30 * DAY + 13.6 * 3_600_000);
        const until = iso(UNTIL.getTime() - 2 * DAY + 9.25 * 3_600_000);
        return { asOf: iso(UNTIL.getTime()), windowOf: dashboardWindowOf(since, until), cuts: dashboardCuts(since, until), thresholds, result: dashboardGroups(since, until), snapshotsAt: [since, until] };
      },
    ],
    [
      'tier changes in the middle of a day, one of them on a day cut for every automation',
      async () => {
        const cut = iso(UNTIL.getTime() - 20 * DAY + 15 * 3_600_000);
        const tierChangedAt = new Map([
          ['inv', iso(UNTIL.getTime() - 41 * DAY + 2 * 3_600_000)],
          ['route', iso(UNTIL.getTime() - 20 * DAY + 4 * 3_600_000)],
          ['triage', iso(UNTIL.getTime() - 10 * DAY)],
        ]);
        const byTier = monthlyWindowOf(tierChangedAt);
        const windowOf = (at: string, automation: string) => `${byTier(at, automation)}/${at < cut ? 'before' : 'after'}`;
        return { asOf: iso(UNTIL.getTime()), windowOf, cuts: { at: [cut], byAutomation: tierChangedAt }, thresholds, snapshotsAt: [cut] };
      },
    ],
    ['calibrate\'s automation, with a cut inside a day', async () => ({ asOf: iso(UNTIL.getTime()), automation: 'inv', thresholds: new Map([['inv', 0.8]]), cuts: { at: [iso(UNTIL.getTime() - 12 * DAY + 7 * 3_600_000)] }, windowOf: (at: string) => (at < iso(UNTIL.getTime() - 12 * DAY + 7 * 3_600_000) ? 'early' : 'late') })],
    ["calibrate's automation", async () => ({ asOf: iso(UNTIL.getTime()), automation: 'inv', thresholds: new Map([['inv', 0.8]]) })],
    ['a shorter reversal horizon', async () => ({ asOf: iso(UNTIL.getTime()), actionHorizonMs: 2 * DAY })],
  ];

  beforeAll(async () => {
    log = await backend.open();
    await writeVariedLog(log.store, UNTIL);
  }, 120_000);
  afterAll(async () => {
    await log?.cleanup();
  });

  it('covers what the fold tells apart', async () => {
    const { stats } = await foldLog(log.store, { asOf: iso(UNTIL.getTime()), thresholds });
    const t = stats.automations.find((a) => a.automation === 'inv')!.total;
    expect(t.reverted).toBeGreaterThan(0);
    expect(t.auditGrades.reject + t.auditGrades.override).toBeGreaterThan(0);
    expect(t.rejections).toBeGreaterThan(0);
    expect(t.modelMismatches).toBeGreaterThan(0);
    expect(t.abandoned + t.failed).toBeGreaterThan(0);
    expect(t.costUnknown).toBeGreaterThan(0);
    expect(t.graded.unknownConfidence).toBeGreaterThan(0);
    expect(stats.automations.some((a) => a.backlog.count > 0)).toBe(true);
  });

  it.each(requests)('%s', async (_name, request) => {
    const req = await request();
    const fold = await foldLog(log.store, req);
    const sql = await readStats(log.store, req);
    expect(rounded(sql.stats)).toEqual(rounded(fold.stats));
    expect(rounded(sql.snapshots)).toEqual(rounded(fold.snapshots));
  });
});
