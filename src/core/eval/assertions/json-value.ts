// JSON outputs: parsing with a reason a person can act on, and structural equality.

export type Parsed = { ok: true; value: unknown } | { ok: false; reason: string };

export function parseOutput(output: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(output) };
  } catch (err) {
    // Chat models often wrap JSON in a Markdown fence; saying so saves a puzzled look at the output.
    const fenced = /^\s*```/.test(output) ? ' (it is wrapped in a ``` code fence)' : '';
    return { ok: false, reason: `output is not JSON${fenced}: ${(err as Error).message}` };
  }
}

/** Deep equality of JSON values: key order does not matter, array order does. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const bo = b as Record<string, unknown>;
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(bo, k) && jsonEqual((a as Record<string, unknown>)[k], bo[k]));
}
