// A lock that cannot be read: git merge-conflict markers, or garbage. Both are named as
// what they are, and `aigov pin` rewrites the lock from the workspace. From a conflict,
// what both sides agree on is kept (see salvage in app/pin.ts). Pure.
import type { Problem } from '../../errors.js';

export const LOCK_FILE = 'aigov.lock';
const REWRITE = 'run `aigov pin` to rewrite it';

const OURS = /^<{7}(?: |$)/;
const BASE = /^\|{7}(?: |$)/;
const SPLIT = /^={7}$/;
const THEIRS = /^>{7}(?: |$)/;

/** The line of the first merge-conflict marker, or undefined. */
export function conflictLine(text: string): number | undefined {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => OURS.test(l) || THEIRS.test(l));
  return i < 0 ? undefined : i + 1;
}

export function conflictProblem(text: string): Problem | undefined {
  const line = conflictLine(text);
  if (line === undefined) return undefined;
  return { severity: 'error', file: LOCK_FILE, line, col: 1, message: `aigov.lock has merge-conflict markers: ${REWRITE}`, hint: 'aigov pin keeps what both sides agree on and re-resolves the rest' };
}

/** A problem found while reading aigov.lock, with the way out added. */
export function withRewriteHint(p: Problem): Problem {
  if (p.file !== LOCK_FILE || p.hint) return p;
  return { ...p, hint: `aigov.lock is written by aigov: ${REWRITE}` };
}

export function isLockProblem(p: Problem): boolean {
  return p.file === LOCK_FILE;
}

/**
 * The two versions a conflicted file holds: every line outside the markers, plus "ours"
 * in the first and "theirs" in the second (a diff3 base section is dropped). Undefined
 * when the markers do not nest as git writes them.
 */
export function conflictSides(text: string): [string, string] | undefined {
  const ours: string[] = [];
  const theirs: string[] = [];
  let state: 'both' | 'ours' | 'base' | 'theirs' = 'both';
  for (const line of text.split(/\r?\n/)) {
    if (OURS.test(line)) {
      if (state !== 'both') return undefined;
      state = 'ours';
    } else if (BASE.test(line) && state === 'ours') state = 'base';
    else if (SPLIT.test(line) && (state === 'ours' || state === 'base')) state = 'theirs';
    else if (THEIRS.test(line)) {
      if (state !== 'theirs') return undefined;
      state = 'both';
    } else if (state === 'both') {
      ours.push(line);
      theirs.push(line);
    } else if (state === 'ours') ours.push(line);
    else if (state === 'theirs') theirs.push(line);
  }
  return state === 'both' ? [ours.join('\n'), theirs.join('\n')] : undefined;
}
