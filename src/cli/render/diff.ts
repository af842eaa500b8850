// Expected against actual under a failing case: a word diff for text, one line per
// changed path for JSON. Lines are indented two spaces; no trailing newline.
// Every piece of expected or actual text is made terminal-safe before it is
// painted, so the colours are ours and nothing of the model's acts on the terminal.
import { diffWordsWithSpace, structuredPatch } from 'diff';
import { formatPointer } from '../../core/json-pointer.js';
import { paint } from '../output.js';
import { terminalSafe } from './terminal-safe.js';

export interface DiffOptions {
  color: boolean;
  outputType: 'text' | 'json';
}

const INDENT = '  ';
const MAX_CHANGES = 50;
const MAX_VALUE = 60;

export function renderDiff(expected: unknown, actual: unknown, opts: DiffOptions): string {
  if (opts.outputType === 'json') {
    const parsed = typeof actual === 'string' ? tryParse(actual) : { ok: true as const, value: actual };
    if (parsed.ok) return jsonDiff(asJson(expected), parsed.value, opts);
    return [`${INDENT}output is not valid JSON; showing a text diff`, textDiff(asText(expected), actual as string, opts)].join('\n');
  }
  return textDiff(asText(expected), asText(actual), opts);
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** An expected JSON document written as a quoted string is still the document. */
function asJson(expected: unknown): unknown {
  if (typeof expected !== 'string') return expected;
  const parsed = tryParse(expected);
  return parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? parsed.value : expected;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value, null, 2) : String(value);
}

// Text ---------------------------------------------------------------------------

function textDiff(expected: string, actual: string, opts: DiffOptions): string {
  // `equals` compares trimmed text, so surrounding whitespace is not a difference worth showing.
  const [e, a] = [expected.trim(), actual.trim()];
  if (e === a) return `${INDENT}(no differences after trimming whitespace)`;
  return e.includes('\n') || a.includes('\n') ? lineDiff(e, a, opts) : INDENT + wordDiff(e, a, opts);
}

function wordDiff(expected: string, actual: string, opts: DiffOptions): string {
  return diffWordsWithSpace(expected, actual)
    .map(({ added, removed, value }) => ({ added, removed, value: terminalSafe(value) }))
    .map((part) => {
      if (part.removed) return opts.color ? paint(opts, 'red', part.value) : `[-${part.value}-]`;
      if (part.added) return opts.color ? paint(opts, 'green', part.value) : `{+${part.value}+}`;
      return part.value;
    })
    .join('');
}

function lineDiff(expected: string, actual: string, opts: DiffOptions): string {
  const { hunks } = structuredPatch('expected', 'actual', `${expected}\n`, `${actual}\n`, '', '', { context: 1 });
  const out: string[] = [];
  for (const [i, hunk] of hunks.entries()) {
    if (i > 0) out.push(`${INDENT}…`);
    for (const line of hunk.lines) {
      const [mark, text] = [line[0], terminalSafe(line.slice(1))];
      if (mark === '-') out.push(INDENT + paint(opts, 'red', `- ${text}`));
      else if (mark === '+') out.push(INDENT + paint(opts, 'green', `+ ${text}`));
      else if (mark === ' ') out.push(`${INDENT}  ${text}`);
    }
  }
  return out.join('\n');
}

// JSON ---------------------------------------------------------------------------

type Change = { path: (string | number)[] } & ({ kind: 'changed'; from: unknown; to: unknown } | { kind: 'added'; to: unknown } | { kind: 'removed'; from: unknown });

function jsonDiff(expected: unknown, actual: unknown, opts: DiffOptions): string {
  const changes: Change[] = [];
  walk(expected, actual, [], changes);
  if (!changes.length) return `${INDENT}(no differences)`;
  const lines = changes.slice(0, MAX_CHANGES).map((c) => changeLine(c, opts));
  if (changes.length > MAX_CHANGES) lines.push(`${INDENT}… and ${changes.length - MAX_CHANGES} more changes`);
  return lines.join('\n');
}

/** Visits keys in sorted order and indexes in order, so the changes come out sorted by path. */
function walk(expected: unknown, actual: unknown, path: (string | number)[], out: Change[]): void {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      if (i >= actual.length) out.push({ kind: 'removed', path: [...path, i], from: expected[i] });
      else if (i >= expected.length) out.push({ kind: 'added', path: [...path, i], to: actual[i] });
      else walk(expected[i], actual[i], [...path, i], out);
    }
    return;
  }
  if (isRecord(expected) && isRecord(actual)) {
    for (const key of [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort()) {
      if (!Object.hasOwn(actual, key)) out.push({ kind: 'removed', path: [...path, key], from: expected[key] });
      else if (!Object.hasOwn(expected, key)) out.push({ kind: 'added', path: [...path, key], to: actual[key] });
      else walk(expected[key], actual[key], [...path, key], out);
    }
    return;
  }
  // Not both arrays nor both objects: only the very same scalar is equal.
  if (expected !== actual) out.push({ kind: 'changed', path, from: expected, to: actual });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function changeLine(c: Change, opts: DiffOptions): string {
  const at = c.path.length ? terminalSafe(formatPointer(c.path)) : '(root)';
  if (c.kind === 'added') return INDENT + paint(opts, 'green', `+ ${at}: ${value(c.to)}`);
  if (c.kind === 'removed') return INDENT + paint(opts, 'red', `- ${at}: ${value(c.from)}`);
  return `${INDENT}${at}: ${paint(opts, 'red', value(c.from))} → ${paint(opts, 'green', value(c.to))}`;
}

function value(v: unknown): string {
  const text = v === undefined ? 'undefined' : JSON.stringify(v);
  return terminalSafe(text.length <= MAX_VALUE ? text : `${text.slice(0, MAX_VALUE - 1)}…`);
}
