// Time windows: the key an instant falls in. Keys sort in time order as strings,
// and every window is computed in UTC, so a figure is the same in every time zone.

export type WindowOf = (at: string) => string;

export const allTime: WindowOf = () => 'all';

const iso = (at: string): string => new Date(Date.parse(at)).toISOString();

/** `2026-11-24`. */
export const byDay: WindowOf = (at) => iso(at).slice(0, 10);

/** `2026-11`, the unit of the monthly review. */
export const byMonth: WindowOf = (at) => iso(at).slice(0, 7);

/** ISO 8601 week, `2026-W48`: Monday to Sunday, the week belonging to the year of its Thursday. */
export const byWeek: WindowOf = (at) => {
  const d = new Date(Date.parse(at));
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
};
