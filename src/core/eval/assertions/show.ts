// How values appear inside a one-line reason: quoted, escaped, and cut short, so a
// long model output never floods a report line.

const MAX = 80;

/** A string or JSON value as one short line. */
export function show(value: unknown, max = MAX): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A yes/no result: score 1 or 0, and `expected` only on a failure, where a diff helps. */
export function verdict(pass: boolean, reason: string, expected?: unknown): { pass: boolean; score: number; reason: string; expected?: unknown } {
  return expected === undefined || pass ? { pass, score: pass ? 1 : 0, reason } : { pass, score: 0, reason, expected };
}
