// JSON Pointer (RFC 6901): the `path` of a `json` assertion and of a `field:` confidence,
// and the way a structural diff names what changed.

/** The reference tokens of a pointer; throws on a pointer that does not start with "/". */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer "${pointer}": it must be empty or start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function isPointer(pointer: string): boolean {
  return pointer === '' || (pointer.startsWith('/') && !/~[^01]|~$/.test(pointer));
}

export function formatPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${String(t).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The value at `pointer`, or `found: false` when any step is missing. */
export function getPointer(doc: unknown, pointer: string): { found: true; value: unknown } | { found: false } {
  let at: unknown = doc;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(at)) {
      // RFC 6901: array indexes are decimal without leading zeros; "-" (past the end) never exists.
      if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) >= at.length) return { found: false };
      at = at[Number(token)];
    } else if (at !== null && typeof at === 'object' && Object.hasOwn(at, token)) {
      at = (at as Record<string, unknown>)[token];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: at };
}

/**
 * A copy of `doc` with `value` at `pointer`, creating missing objects on the way; the
 * original is untouched. Used to show a failed `json` assertion as a diff of the whole document.
 */
export function setPointer(doc: unknown, pointer: string, value: unknown): unknown {
  return setAt(doc, parsePointer(pointer), value);
}

function setAt(node: unknown, tokens: string[], value: unknown): unknown {
  if (!tokens.length) return value;
  const [head, ...rest] = tokens;
  if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(head)) {
    const copy = [...node];
    copy[Number(head)] = setAt(copy[Number(head)], rest, value);
    return copy;
  }
  const base = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>) : {};
  return { ...base, [head]: setAt(base[head], rest, value) };
}
