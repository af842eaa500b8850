// `aigov eval`'s check of the lock's promise: every answer's reported model against the
// lock's `served`. Where the API reports no model, or the lock holds no claim, there is
// nothing to compare. Pure.
import type { ModelMismatch } from './report.js';

export interface ReportedAnswer {
  /** The logical model that was called. */
  model: string;
  /** The lock's `served` for it; null: nothing to compare. */
  expected: string | null;
  /** What the answer reported as its model. */
  returned: string | null | undefined;
}

export function tallyMismatches(answers: Iterable<ReportedAnswer>): ModelMismatch[] {
  const counts = new Map<string, ModelMismatch>();
  for (const a of answers) {
    if (!a.expected || !a.returned || a.returned === a.expected) continue;
    const key = JSON.stringify([a.model, a.expected, a.returned]);
    const m = counts.get(key) ?? { model: a.model, expected: a.expected, returned: a.returned, answers: 0 };
    m.answers++;
    counts.set(key, m);
  }
  return [...counts.values()].sort((x, y) => x.model.localeCompare(y.model) || x.returned.localeCompare(y.returned));
}

/** The distinct ids answers reported, sorted. */
export function returnedIds(answers: Iterable<{ returned: string | null | undefined }>): string[] {
  const ids = new Set<string>();
  for (const a of answers) if (a.returned) ids.add(a.returned);
  return [...ids].sort();
}
