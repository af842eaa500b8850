// A parsed YAML file that remembers where every node came from, so any problem
// found later (schema, cross-reference) can name its line and column.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Problem } from '../../errors.js';

export type DocPath = readonly (string | number)[];

export interface SourceFile {
  /** Path relative to the workspace root, as shown to people. */
  readonly file: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

export interface ParsedSource {
  source: SourceFile;
  value: unknown;
  problems: Problem[];
}

export const MAX_ALIASES = 100;

/** Parses on first use of `doc` or `lines`: positions are only needed to explain a problem or to edit. */
class LazySource implements SourceFile {
  private parsed?: { doc: Document.Parsed; lines: LineCounter };
  constructor(
    readonly file: string,
    readonly text: string,
  ) {}
  get doc(): Document.Parsed {
    return this.parse().doc;
  }
  get lines(): LineCounter {
    return this.parse().lines;
  }
  private parse(): { doc: Document.Parsed; lines: LineCounter } {
    if (!this.parsed) {
      const lines = new LineCounter();
      this.parsed = { doc: parseDocument(this.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true }), lines };
    }
    return this.parsed;
  }
}

/**
 * Parses a YAML file, collecting its problems. With `known`, the value of this
 * exact text from an earlier clean parse, the parse itself waits until a
 * position is asked for.
 */
export function parseSource(file: string, text: string, known?: { value: unknown }): ParsedSource {
  const source = new LazySource(file, text);
  if (known) return { source, value: known.value, problems: [] };
  const { doc, lines } = source;
  const problems: Problem[] = doc.errors.map((e) => ({
    severity: 'error' as const,
    file,
    ...position(lines, e.pos[0]),
    message: `invalid YAML: ${e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '')}`,
  }));
  if (problems.length) return { source, value: undefined, problems };
  try {
    return { source, value: doc.toJS({ maxAliasCount: MAX_ALIASES }), problems };
  } catch (err) {
    const message = /resource exhaustion/i.test(String(err))
      ? `too many YAML aliases (more than ${MAX_ALIASES} expansions): refusing a possible alias bomb`
      : `invalid YAML: ${(err as Error).message}`;
    return { source, value: undefined, problems: [{ severity: 'error', file, line: 1, col: 1, message }] };
  }
}

function position(lines: LineCounter, offset: number): { line: number; col: number } {
  const p = lines.linePos(offset);
  return { line: p.line, col: p.col };
}

/**
 * The line and column of the node at `path`, or of its nearest existing ancestor.
 * With `key: true`, the position of the mapping key rather than its value (for unknown keys).
 */
export function locate(source: SourceFile, path: DocPath, opts: { key?: boolean } = {}): { line: number; col: number } {
  let node: unknown = source.doc.contents;
  let found: Node | null = (source.doc.contents as Node | null) ?? null;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) break;
      if (last && opts.key && pair.key) {
        found = pair.key as Node;
        break;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else break;
    if (node && typeof node === 'object' && 'range' in (node as object)) found = node as Node;
    else break;
  }
  const offset = found?.range?.[0] ?? 0;
  return position(source.lines, offset);
}

/** Formats a document path the way people write it: `messages[1].content`. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : String(seg);
  }
  return out;
}

/**
 * A problem at `path` in `source`. Its line and column are found when first read:
 * placing one needs the YAML parsed with positions, and a command that only counts
 * warnings (`aigov eval`) should not parse a file a second time for that.
 */
export function problemAt(source: SourceFile, path: DocPath, message: string, opts: { hint?: string; severity?: 'error' | 'warning'; key?: boolean } = {}): Problem {
  let at: { line: number; col: number } | undefined;
  const where = () => (at ??= locate(source, path, { key: opts.key }));
  return {
    severity: opts.severity ?? 'error',
    file: source.file,
    get line() {
      return where().line;
    },
    get col() {
      return where().col;
    },
    path: path.length ? formatPath(path) : undefined,
    message,
    hint: opts.hint,
  };
}
