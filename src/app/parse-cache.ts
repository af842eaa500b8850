// Parsing YAML is most of what a large workspace costs to load (a 5,000-case
// suite takes the `yaml` package about half a second). A file's value depends
// only on its text, so clean parses are kept under .aigov/cache/parsed, keyed by
// the text's hash; positions are parsed again only when a problem needs one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../core/canonical.js';
import type { Parse } from '../core/workspace/build.js';
import { parseSource } from '../core/workspace/source.js';
import { writeFileAtomic } from '../fs/atomic.js';

// Bump when parsing changes what value a text yields.
const PARSE_VERSION = 'yaml2-core-1';

export function cachingParse(root: string): Parse {
  const dir = join(root, '.aigov', 'cache', 'parsed');
  return (file, text) => {
    const path = join(dir, `${sha256(`${PARSE_VERSION}\0${text}`)}.json`);
    try {
      return parseSource(file, text, { value: JSON.parse(readFileSync(path, 'utf8')) });
    } catch {
      // Not cached yet, or unreadable: parse it.
    }
    const parsed = parseSource(file, text);
    if (!parsed.problems.length && isPlainJson(parsed.value)) {
      try {
        writeFileAtomic(path, JSON.stringify(parsed.value), { durable: false });
      } catch {
        // A read-only or full disk only costs the next run a parse.
      }
    }
    return parsed;
  };
}

/** Whether JSON keeps the value exactly (YAML may also yield .inf, .nan). */
function isPlainJson(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isPlainJson);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v as object).every(isPlainJson);
  return false;
}
