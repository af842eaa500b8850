// The workspace's `.env`: KEY=VALUE lines, read the way dotenv and Node's
// parseEnv read them, except that what they pass over in silence is a warning
// here: a line that is not KEY=VALUE, a quote never closed, a key set twice.
// A warning names the file and line and the key, never the value: it may be a
// secret. Pure.
import type { Problem } from '../errors.js';

export interface Dotenv {
  values: Record<string, string>;
  problems: Problem[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ASSIGNMENT = /^\s*(?:export\s+)?([^=\s]*)\s*=(\s*)(.*)$/;

export function parseDotenv(text: string, file = '.env'): Dotenv {
  // An editor's UTF-8 byte order mark would otherwise become part of the first key.
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const values: Record<string, string> = {};
  const setAt = new Map<string, number>();
  const problems: Problem[] = [];
  const warn = (line: number, message: string, hint?: string): void => void problems.push({ severity: 'warning', file, line, col: 1, message, hint });

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i];
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = ASSIGNMENT.exec(line);
    if (!m) {
      warn(lineNo, 'expected KEY=VALUE; the line is ignored');
      continue;
    }
    const [, key, space, rest] = m;
    if (!KEY.test(key)) {
      warn(lineNo, `"${key}" is not a variable name (letters, digits and "_", not starting with a digit); the line is ignored`);
      continue;
    }
    const parsed = parseValue(rest, !space, lines, i);
    if ('problem' in parsed) {
      warn(lineNo, `${key}: ${parsed.problem}; the line is ignored`, parsed.hint);
      continue;
    }
    if (parsed.hashInside) warn(lineNo, `${key}: the "#" in the unquoted value starts a comment, so the value ends before it`, 'quote the value if the # belongs to it');
    const earlier = setAt.get(key);
    if (earlier !== undefined) warn(lineNo, `${key} is set again (first on line ${earlier}); this later value is used`);
    values[key] = parsed.value;
    setAt.set(key, lineNo);
    i = parsed.lastLine;
  }
  return { values, problems };
}

type Parsed = { value: string; lastLine: number; hashInside?: boolean } | { problem: string; hint?: string };

/** The value after `=` on line `at` (`tight`: no space after the `=`); a quoted value may run over several lines. */
function parseValue(rest: string, tight: boolean, lines: readonly string[], at: number): Parsed {
  const quote = rest[0];
  if (quote !== '"' && quote !== "'" && quote !== '`') {
    const hash = rest.indexOf('#');
    const value = (hash < 0 ? rest : rest.slice(0, hash)).trim();
    // `K=a#b` and `K=#b` end the value at the #, as dotenv does; worth saying, as it cuts a secret short.
    const hashInside = hash > 0 ? !/\s/.test(rest[hash - 1]) : hash === 0 && tight;
    return { value, lastLine: at, hashInside };
  }
  // The closing quote is the first one not escaped by a backslash (inside double quotes).
  let body = rest.slice(1);
  for (let last = at; last < lines.length; last++) {
    const close = closingQuote(body, quote);
    if (close >= 0) {
      const after = body.slice(close + 1);
      if (!/^\s*(#.*)?$/.test(after)) return { problem: 'unexpected text after the closing quote' };
      const raw = body.slice(0, close);
      return { value: quote === '"' ? unescape(raw) : raw, lastLine: last };
    }
    if (last + 1 < lines.length) body += `\n${lines[last + 1]}`;
  }
  return { problem: `the ${quote} quote is never closed`, hint: `end the value with ${quote}` };
}

function closingQuote(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    if (quote === '"' && body[i] === '\\') i++;
    else if (body[i] === quote) return i;
  }
  return -1;
}

function unescape(raw: string): string {
  return raw.replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}
