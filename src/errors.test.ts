import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { AigovError, asInternal, ERROR_CODES, formatProblem, InternalError, ProviderError, UsageError, type ErrorCode, type Problem } from './errors.js';

describe('ERROR_CODES', () => {
  it('are all listed in the README, each in a table row of its own', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const missing = Object.keys(ERROR_CODES).filter((code) => !new RegExp(`^\\|\\s*\`${code}\`\\s*\\|`, 'm').test(readme));
    expect(missing).toEqual([]);
  });

  it('each have a one-line meaning and the E_ shape', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^E_[A-Z][A-Z0-9_]*$/);
      expect(meaning).not.toMatch(/\n/);
      expect(meaning.length).toBeGreaterThan(5);
    }
  });

  it('cover every provider error kind', () => {
    for (const kind of ['rate_limit', 'server', 'timeout', 'network', 'auth', 'bad_request', 'malformed', 'not_found', 'no_recording', 'exec'] as const) {
      expect(Object.keys(ERROR_CODES)).toContain(new ProviderError(kind, 'x').code);
    }
  });

  it('do not compile when misspelled', () => {
    // @ts-expect-error: E_UNLOKED is not a code
    const bad: ErrorCode = 'E_UNLOKED';
    expect(bad in ERROR_CODES).toBe(false);
  });
});

describe('formatProblem', () => {
  const base: Problem = { severity: 'error', file: 'prompts/a.yaml', line: 3, col: 8, message: 'unknown model "fats"' };
  it.each<[string, Partial<Problem>, string]>([
    ['location, path, message, hint', { path: 'model', hint: 'did you mean "fast"?' }, 'prompts/a.yaml:3:8 error model: unknown model "fats" (did you mean "fast"?)'],
    ['no line', { line: undefined, col: undefined }, 'prompts/a.yaml error unknown model "fats"'],
    ['a warning', { severity: 'warning' }, 'prompts/a.yaml:3:8 warning unknown model "fats"'],
    ['a code, no path', { code: 'E_FILE_UNREADABLE', line: undefined, message: 'is a folder, not a file' }, 'prompts/a.yaml error E_FILE_UNREADABLE: is a folder, not a file'],
    ['a code and a path', { code: 'E_INVALID', path: 'output.schema' }, 'prompts/a.yaml:3:8 error E_INVALID output.schema: unknown model "fats"'],
  ])('%s', (_n, over, text) => expect(formatProblem({ ...base, ...over })).toBe(text));
});

describe('InternalError', () => {
  it('is exit 70 with code E_INTERNAL and a hint asking for a report', () => {
    const e = new InternalError('boom');
    expect(e).toBeInstanceOf(AigovError);
    expect(e).toMatchObject({ code: 'E_INTERNAL', exitCode: 70, name: 'InternalError' });
    expect(e.hint).toMatch(/bug in aigov.*report/);
  });

  it.each<[string, unknown, RegExp]>([
    ['a TypeError, named', new TypeError("Cannot read properties of undefined (reading 'x')"), /^in the "equals" assertion: TypeError: Cannot read properties/],
    ['a plain Error, unnamed', new Error('boom'), /^in the "equals" assertion: boom$/],
    ['a thrown string', 'boom', /^in the "equals" assertion: boom$/],
  ])('asInternal wraps %s with where it happened', (_n, thrown, message) => {
    const e = asInternal(thrown, 'in the "equals" assertion');
    expect(e).toBeInstanceOf(InternalError);
    expect(e.message).toMatch(message);
    expect(e.cause).toBe(thrown);
  });

  it('asInternal leaves an AigovError as it is', () => {
    const usage = new UsageError('bad flag');
    const provider = new ProviderError('server', '500');
    expect(asInternal(usage, 'x')).toBe(usage);
    expect(asInternal(provider, 'x')).toBe(provider);
  });
});
