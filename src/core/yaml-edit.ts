// Edits to a YAML file that people keep by hand: set the value at a path, and
// change nothing else. Every byte outside the edited value stays as it was:
// comments, blank lines, quoting, key order, and whether a mapping is written
// in block or flow style. (Re-serializing the whole document, as a YAML library
// does, reflows long lines, re-quotes strings and can turn a flow mapping into
// a block.) Used by `eval --accept`, and for `tier:` and thresholds. Pure.
//
// Each edit is checked by parsing the result: it must be valid YAML whose data
// is the old data with exactly that one value set. Anything else is a bug here,
// and nothing is returned.
import { isAlias, isMap, isScalar, isSeq, parse, parseDocument, stringify, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { canonicalJson } from './canonical.js';

export type YamlPath = readonly (string | number)[];

export interface YamlEdit {
  path: YamlPath;
  value: unknown;
}

/** An edit that cannot be made without changing more than the value (an alias on the path, a missing item). */
export class YamlEditError extends Error {
  constructor(
    readonly path: YamlPath,
    message: string,
  ) {
    super(message);
    this.name = 'YamlEditError';
  }
}

// The options the workspace reader parses with.
const PARSE = { uniqueKeys: true, strict: true, prettyErrors: false } as const;

/** Applies the edits in order and returns the new text. */
export function editYaml(text: string, edits: readonly YamlEdit[]): string {
  let out = text;
  for (const edit of edits) out = editOne(out, edit);
  return out;
}

function editOne(text: string, { path, value }: YamlEdit): string {
  if (!path.length) throw new YamlEditError(path, 'an edit needs a path inside the document');
  checkValue(path, value);
  const doc = parseDocument(text, PARSE);
  if (doc.errors.length) throw new YamlEditError(path, `the file is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  const ctx: Ctx = { text, eol: text.includes('\r\n') ? '\r\n' : '\n', path };
  const out = editAt(ctx, doc.contents as Node | null, path, value);
  verify(text, out, path, value);
  return out;
}

interface Ctx {
  text: string;
  eol: string;
  path: YamlPath;
}

function editAt(ctx: Ctx, root: Node | null, path: YamlPath, value: unknown): string {
  let node: Node | null = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    const where = describe(path.slice(0, i));
    if (isAlias(node)) throw new YamlEditError(ctx.path, `${where} is an alias (*${node.source}): editing through it would change every place that uses it`);
    if (isMap(node) && typeof seg === 'string') {
      const pair = findPair(node, seg);
      if (!pair) return insertPair(ctx, node, seg, nest(path.slice(i + 1), value));
      if (last) return replaceInMap(ctx, node, pair, value);
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (item === undefined) throw new YamlEditError(ctx.path, `${where} has no item ${seg} (it has ${node.items.length})`);
      if (last) return replaceItem(ctx, node, item, value);
      node = item;
    } else {
      const kind = isMap(node) ? 'a mapping' : isSeq(node) ? 'a list' : node === null ? 'empty' : 'a single value';
      throw new YamlEditError(ctx.path, `${where || 'the document'} is ${kind}, so it has no ${typeof seg === 'number' ? `item ${seg}` : `key "${seg}"`}`);
    }
  }
  /* c8 ignore next */
  throw new YamlEditError(ctx.path, 'unreachable');
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && String(p.key.value) === key) as Pair | undefined;
}

/** `{a: {b: value}}` for the path [a, b]: what a missing key is created with. */
function nest(rest: YamlPath, value: unknown): unknown {
  let v = value;
  for (let i = rest.length - 1; i >= 0; i--) {
    const seg = rest[i];
    if (typeof seg === 'number') throw new YamlEditError(rest, `cannot create list item ${seg} of a list that does not exist`);
    v = { [seg]: v };
  }
  return v;
}

// Replacing -------------------------------------------------------------------

function replaceInMap(ctx: Ctx, map: YAMLMap, pair: Pair, value: unknown): string {
  const { text } = ctx;
  const key = pair.key as Node;
  const old = (pair.value as Node | null) ?? null;
  if (map.flow) {
    if (old?.range) return splice(text, old.range[0], old.range[1], renderFlow(value));
    // `{ a }` or `{ a: }`: a key without a value.
    const colon = /^\s*:/.exec(text.slice(key.range![1]));
    const at = key.range![1] + (colon ? colon[0].length : 0);
    return splice(text, at, at, `${colon ? ' ' : ': '}${renderFlow(value)}`);
  }
  // A flow collection stays one when it gets another collection.
  if (old && (isMap(old) || isSeq(old)) && old.flow && isCollection(value)) return splice(text, old.range![0], old.range![1], renderFlow(value));
  const colon = colonAfter(ctx, key);
  const start = old?.range ? old.range[0] : colon + 1;
  const end = trimEnd(text, start, old?.range ? old.range[1] : colon + 1);
  const gap = text.slice(colon + 1, start);
  // A comment between the key and its value stays: the new value goes where the old one began.
  if (gap.includes('#')) return spliceValue(ctx, start, end, renderAnchored(ctx, value, column(text, start)));
  // A value that began on a line of its own keeps that line's indentation.
  const indent = gap.includes('\n') ? Math.max(0, column(text, start) - 2) : column(text, key.range![0]);
  return spliceValue(ctx, colon + 1, end, fixEol(ctx, renderBlock(value, indent)));
}

function replaceItem(ctx: Ctx, seq: YAMLSeq, item: Node, value: unknown): string {
  const { text } = ctx;
  if (!item.range) throw new YamlEditError(ctx.path, 'the list item has no position to edit');
  if (seq.flow) return splice(text, item.range[0], item.range[1], renderFlow(value));
  if ((isMap(item) || isSeq(item)) && item.flow && isCollection(value)) return splice(text, item.range[0], item.range[1], renderFlow(value));
  const end = trimEnd(text, item.range[0], item.range[1]);
  return spliceValue(ctx, item.range[0], end, renderAnchored(ctx, value, column(text, item.range[0])));
}

// Inserting -------------------------------------------------------------------

function insertPair(ctx: Ctx, map: YAMLMap, key: string, value: unknown): string {
  const { text, eol } = ctx;
  const lastPair = map.items[map.items.length - 1] as Pair | undefined;
  const lastEnd = lastPair ? (((lastPair.value as Node | null)?.range?.[1] ?? (lastPair.key as Node).range![1]) as number) : undefined;
  if (map.flow) {
    if (lastEnd !== undefined) return splice(text, lastEnd, lastEnd, `, ${flowScalar(key)}: ${renderFlow(value)}`);
    const open = map.range![0];
    return splice(text, open + 1, open + 1, ` ${flowScalar(key)}: ${renderFlow(value)}${text[open + 1] === '}' ? ' ' : ''}`);
  }
  if (!lastPair || lastEnd === undefined) throw new YamlEditError(ctx.path, 'cannot add a key to an empty block mapping');
  const indent = column(text, (map.items[0].key as Node).range![0]);
  const line = `${' '.repeat(indent)}${flowScalar(key)}:${fixEol(ctx, renderBlock(value, indent))}`;
  // After the last pair's line, so a comment at the end of that line stays with it.
  if (text[lastEnd - 1] === '\n') return splice(text, lastEnd, lastEnd, `${line}${eol}`);
  const nl = text.indexOf('\n', lastEnd);
  if (nl < 0) return `${text}${eol}${line}${eol}`;
  return splice(text, nl + 1, nl + 1, `${line}${eol}`);
}

// Rendering -------------------------------------------------------------------

/** What follows `key:` in block style (" value", or a newline and indented lines), for a key at column `indent`. */
function renderBlock(value: unknown, indent: number): string {
  const s = stringify({ x: value }, { lineWidth: 0 }).replace(/\n$/, '').slice(2);
  return s
    .split('\n')
    .map((line, i) => (i === 0 || line === '' ? line : ' '.repeat(indent) + line))
    .join('\n');
}

/** A value written where an old one began, at column `col` (its first line needs no indent). */
function renderAnchored(ctx: Ctx, value: unknown, col: number): string {
  const block = renderBlock(value, Math.max(0, col - 2));
  return fixEol(ctx, block.startsWith('\n') ? block.replace(/^\n */, '') : block.replace(/^ /, ''));
}

function renderFlow(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return flowScalar(value);
  if (typeof value === 'number') return Number.isNaN(value) ? '.nan' : value === Infinity ? '.inf' : value === -Infinity ? '-.inf' : String(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(renderFlow).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return entries.length ? `{ ${entries.map(([k, v]) => `${flowScalar(k)}: ${renderFlow(v)}`).join(', ')} }` : '{}';
}

/** Plain where that is unambiguous anywhere (block or flow), else double-quoted (JSON's escapes are YAML's). */
function flowScalar(s: string): string {
  const plain = /^[A-Za-z0-9_][A-Za-z0-9_ ./+-]*$/.test(s) && !s.endsWith(' ') && parse(s) === s;
  return plain ? s : JSON.stringify(s);
}

// Helpers ---------------------------------------------------------------------

function checkValue(path: YamlPath, value: unknown): void {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
    throw new YamlEditError(path, `cannot write ${typeof value} into YAML`);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) {
    throw new YamlEditError(path, 'only plain data (strings, numbers, booleans, null, lists, mappings) can be written');
  }
  if (value !== null && typeof value === 'object') for (const v of Object.values(value)) checkValue(path, v);
}

function isCollection(v: unknown): boolean {
  return v !== null && typeof v === 'object';
}

function colonAfter(ctx: Ctx, key: Node): number {
  const m = /^\s*:/.exec(ctx.text.slice(key.range![1]));
  if (!m) throw new YamlEditError(ctx.path, 'the key is not followed by ":" (an explicit "? key" is not supported)');
  return key.range![1] + m[0].length - 1;
}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** `end`, moved back over trailing whitespace and newlines (never before `start`). */
function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text[end - 1])) end--;
  return end;
}

/**
 * Puts a block-style value in place of [start, end). A comment after the old
 * value on its line moves to the end of the new value's first line: left where
 * it was, it would end up inside a block scalar or after a nested mapping.
 */
function spliceValue(ctx: Ctx, start: number, end: number, rendered: string): string {
  const nl = rendered.indexOf('\n');
  if (nl < 0) return splice(ctx.text, start, end, rendered);
  const lineEnd = ctx.text.slice(end).search(/\r?\n|$/);
  const tail = ctx.text.slice(end, end + lineEnd);
  if (!tail.trim()) return splice(ctx.text, start, end, rendered);
  const firstLineEnd = rendered[nl - 1] === '\r' ? nl - 1 : nl;
  return splice(ctx.text, start, end + tail.length, rendered.slice(0, firstLineEnd) + tail + rendered.slice(firstLineEnd));
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function fixEol(ctx: Ctx, s: string): string {
  return ctx.eol === '\n' ? s : s.replace(/\n/g, ctx.eol);
}

function describe(path: YamlPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

function verify(before: string, after: string, path: YamlPath, value: unknown): void {
  const doc = parseDocument(after, PARSE);
  if (doc.errors.length) throw new Error(`a YAML edit at ${describe(path)} produced invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  const expected = setPath(parse(before, PARSE) as unknown, path, value);
  if (canonicalJson(doc.toJS()) !== canonicalJson(expected)) throw new Error(`a YAML edit at ${describe(path)} changed more than that value`);
}

function setPath(root: unknown, path: YamlPath, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (let i = 0; i < path.length - 1; i++) {
    node[path[i]] ??= {};
    node = node[path[i]] as Record<string | number, unknown>;
  }
  node[path[path.length - 1]] = value;
  return copy;
}
