// Canonical JSON as the run log writes it: exactly `canonicalJson` from
// core/canonical (the tests hold them equal on odd and generated values), about
// twice as fast, and able to tell when a JSON round trip would change the value.
// The log canonicalizes every payload it appends and every one it verifies.

// The characters JSON.stringify leaves as they are.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A string's JSON, without calling JSON.stringify in the common case of plain text. */
export function quote(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

// Set while spelling a value that JSON cannot carry as it is: undefined,
// NaN, -0, functions, class instances such as Date.
let lossy = false;

function spell(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') {
    if (typeof value === 'string') return quote(value);
    if (typeof value === 'number') {
      if (Number.isFinite(value) && !(value === 0 && 1 / value < 0)) return String(value);
      lossy = true;
      return Number.isFinite(value) ? '0' : 'null';
    }
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    lossy = true;
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = value[i];
      if (item === undefined) {
        lossy = true;
        out += 'null';
      } else {
        out += spell(item);
      }
    }
    return `${out}]`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) lossy = true;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) {
      lossy = true;
      continue;
    }
    if (out.length > 1) out += ',';
    out += `${quote(key)}:${spell(item)}`;
  }
  return `${out}}`;
}

export function canonicalText(value: unknown): string {
  return spell(value);
}

/**
 * The canonical text of `value`, and whether `JSON.parse(text)` is deep-equal
 * to `value` (so a caller may keep `value` instead of parsing the text back).
 */
export function canonicalize(value: unknown): { text: string; exact: boolean } {
  lossy = false;
  const text = spell(value);
  return { text, exact: !lossy };
}
