// Calendar months in UTC, as `YYYY-MM`: the unit of the monthly review. Pure.

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(text: string): boolean {
  return MONTH.test(text);
}

/** The month `n` months after `month` (n may be negative). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The first instant of the month, ISO 8601. */
export function monthStart(month: string): string {
  return `${month}-01T00:00:00.000Z`;
}

/** The month an instant falls in. */
export function monthOf(at: string): string {
  return new Date(Date.parse(at)).toISOString().slice(0, 7);
}
