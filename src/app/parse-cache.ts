// Parsing YAML is most of what a large workspace costs to load (a 5,000-case
// suite takes the `yaml` package about half a second), and schema-checking it
// the next largest part (a 20,000-case suite: some 60 ms of zod). A file's value
// and its check's verdict depend only on its text, so both are kept under
// .aigov/cache, keyed by the text's hash: clean parses under parsed/, clean checks
// under checked/. Positions are parsed again only when a problem needs one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../core/canonical.js';
import { loadDocument, type Parse } from '../core/workspace/build.js';
import { fileSchema, type FileKind } from '../core/workspace/schemas.js';
import { parseSource } from '../core/workspace/source.js';
import { writeFileAtomic } from '../fs/atomic.js';

// Bump when parsing changes what value a text yields.
const PARSE_VERSION = 'yaml2-core-1';
// Bump when a schema check changes its verdict in a way its JSON Schema does not
// show (a refinement); changes the JSON Schema shows change the key by themselves.
const CHECK_VERSION = 'check-1';
/** Written from the zod schemas by the build, shipped with the package. */
const SCHEMAS = new URL('../../schemas/', import.meta.url);

/** `schemas`: where the JSON Schemas are (for tests); the package's own by default. */
export function cachingParse(root: string, schemas: URL = SCHEMAS): Parse {
  const dir = join(root, '.aigov', 'cache');
  const fingerprints = new Map<FileKind, string | null>();
  const checkedPath = (kind: FileKind, text: string): string | null => {
    let fp = fingerprints.get(kind);
    if (fp === undefined) {
      fp = schemaFingerprint(kind, schemas);
      fingerprints.set(kind, fp);
    }
    return fp === null ? null : join(dir, 'checked', `${sha256(`${CHECK_VERSION}\0${kind}\0${fp}\0${text}`)}.json`);
  };

  const parse: Parse = (file, text) => {
    const path = join(dir, 'parsed', `${sha256(`${PARSE_VERSION}\0${text}`)}.json`);
    try {
      return parseSource(file, text, { value: JSON.parse(readFileSync(path, 'utf8')) });
    } catch {
      // Not cached yet, or unreadable: parse it.
    }
    const parsed = parseSource(file, text);
    if (!parsed.problems.length && isPlainJson(parsed.value)) keep(path, parsed.value);
    return parsed;
  };
  parse.checked = (kind, file, text) => {
    const path = checkedPath(kind, text);
    if (!path) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      return undefined;
    }
    // The source parses lazily: a cross-reference problem found later may still need a position.
    return { value, source: parseSource(file, text, { value }).source };
  };
  parse.keepChecked = (kind, text, value) => {
    const path = checkedPath(kind, text);
    if (path && isPlainJson(value)) keep(path, value);
  };
  return parse;
}

/**
 * For a command that has just written a workspace file (`pin` its lock): the file's
 * check as the next read would do it, kept when clean, so that read (the eval
 * after a pin) takes it from the cache instead of parsing and checking again.
 */
export function keepWritten(root: string, kind: FileKind, file: string, text: string): void {
  const parse = cachingParse(root);
  if (parse.checked!(kind, file, text)) return;
  const { loaded, problems } = loadDocument(file, text, fileSchema(kind), parse);
  if (loaded && !problems.length) parse.keepChecked!(kind, text, loaded.value);
}

function keep(path: string, value: unknown): void {
  try {
    writeFileAtomic(path, JSON.stringify(value), { durable: false });
  } catch {
    // A read-only or full disk only costs the next run a parse or a check.
  }
}

/**
 * The hash of the kind's JSON Schema as the build wrote it; null when it cannot be
 * read, and then no check is taken from the cache.
 */
function schemaFingerprint(kind: FileKind, schemas: URL): string | null {
  try {
    return sha256(readFileSync(new URL(`${kind}.json`, schemas), 'utf8'));
  } catch {
    return null;
  }
}

/** Whether JSON keeps the value exactly (YAML may also yield .inf, .nan; a check may yield undefined). */
function isPlainJson(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every(isPlainJson);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v as object).every(isPlainJson);
  return false;
}
