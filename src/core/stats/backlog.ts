// The review backlog: runs waiting for a person, by kind and by age.
import { timeOf } from './events.js';

const DAY = 86_400_000;

export interface Backlog {
  count: number;
  review: number;
  approval: number;
  /** When the longest-waiting run finished (ISO 8601), or null. */
  oldestAt: string | null;
  /** How many wait, by age at `asOf`: under a day, 1 to 7 days, 7 to 31 days, longer. */
  ages: { underDay: number; underWeek: number; underMonth: number; older: number };
}

export function emptyBacklog(): Backlog {
  return { count: 0, review: 0, approval: 0, oldestAt: null, ages: { underDay: 0, underWeek: 0, underMonth: 0, older: 0 } };
}

/** Counts one waiting run; `since` is when it began to wait, `now` the time ages are measured at (ms). */
export function addWaiting(b: Backlog, kind: 'review' | 'approval', since: string, now: number): void {
  const t = timeOf(since) ?? now;
  b.count++;
  b[kind]++;
  if (b.oldestAt === null || t < (timeOf(b.oldestAt) ?? t)) b.oldestAt = since;
  const age = now - t;
  b.ages[age < DAY ? 'underDay' : age < 7 * DAY ? 'underWeek' : age < 31 * DAY ? 'underMonth' : 'older']++;
}
