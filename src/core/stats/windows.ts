// Time windows: the key an instant falls in. Keys sort in time order as strings,
// and every window is computed in UTC, so a figure is the same in every time zone.

export type WindowOf = (at: string) => string;

export const allTime: WindowOf = () => 'all';

/** `2026-11-24T10:00:00.000Z`: what the store and the library write; sorts as the instants do. */
const CANONICAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * Whether `at` is in the form `toISOString` gives, so that it can be compared
 * and sliced as a string: over a million events, far cheaper than parsing each.
 */
export function isCanonicalTime(at: string): boolean {
  return at.length === 24 && CANONICAL.test(at);
}

const iso = (at: string): string => (isCanonicalTime(at) ? at : new Date(Date.parse(at)).toISOString());

/** The ISO week of each day seen, so a week is computed once a day, not once a run. */
const weekOfDay = new Map<string, string>();

/** `2026-11-24`. */
export const byDay: WindowOf = (at) => iso(at).slice(0, 10);

/** `2026-11`, the unit of the monthly review. */
export const byMonth: WindowOf = (at) => iso(at).slice(0, 7);

/** ISO 8601 week, `2026-W48`: Monday to Sunday, the week belonging to the year of its Thursday. */
export const byWeek: WindowOf = (at) => {
  const day = iso(at).slice(0, 10);
  let week = weekOfDay.get(day);
  if (week === undefined) {
    if (weekOfDay.size > 100_000) weekOfDay.clear(); // bounded: a log spans some thousands of days
    weekOfDay.set(day, (week = isoWeek(`${day}T00:00:00.000Z`)));
  }
  return week;
};

function isoWeek(at: string): string {
  const d = new Date(Date.parse(at));
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}
