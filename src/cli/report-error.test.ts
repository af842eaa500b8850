import { describe, expect, it } from 'vitest';
import { GateError, InternalError, InvalidWorkspaceError, ProviderError, UsageError } from '../errors.js';
import type { Output } from './output.js';
import { reportError } from './report-error.js';

function capture(json = false) {
  const out: string[] = [];
  const err: string[] = [];
  const o: Output = { json, quiet: false, color: false, progress: false, out: (t) => void out.push(t), err: (t) => void err.push(t) };
  return { o, out, err };
}

const problems = [
  { severity: 'error' as const, file: 'prompts/a.yaml', line: 3, col: 8, path: 'model', message: 'unknown model "fats"', hint: 'did you mean "fast"?' },
  { severity: 'warning' as const, file: 'prompts/a.yaml', line: 9, col: 3, message: 'variable "x" is declared but not used' },
];

describe('reportError, text', () => {
  it.each<[string, unknown, number, string[]]>([
    ['a usage error, with its code and hint', new UsageError('unknown format "yml"', { hint: 'one of: json' }), 2, ['error E_USAGE: unknown format "yml"', '  hint: one of: json']],
    ['a gate, with a location', new GateError('E_UNLOCKED', 'model "fast" not locked', { location: { file: 'aigov.yaml', line: 3, col: 3 } }), 1, ['aigov.yaml:3:3 error E_UNLOCKED: model "fast" not locked']],
    ['a provider failure', new ProviderError('auth', 'OPENAI_API_KEY is not set'), 3, ['error E_PROVIDER_AUTH: OPENAI_API_KEY is not set']],
    [
      'workspace problems, each, then the code',
      new InvalidWorkspaceError(problems),
      2,
      ['prompts/a.yaml:3:8 error model: unknown model "fats" (did you mean "fast"?)', 'prompts/a.yaml:9:3 warning variable "x" is declared but not used', 'error E_INVALID: 1 error in the workspace: nothing was run or written'],
    ],
    [
      'an internal error, on one line',
      new InternalError('in the "equals" assertion:\nTypeError: x is undefined'),
      70,
      ['internal error E_INTERNAL: in the "equals" assertion: TypeError: x is undefined; this is a bug in aigov: please report it with the command you ran (--debug shows the stack)'],
    ],
    ['anything else thrown is internal', new TypeError('boom'), 70, ['internal error E_INTERNAL: unexpected error: TypeError: boom; this is a bug in aigov: please report it with the command you ran (--debug shows the stack)']],
    ['a file-system error is the user\'s, with its path', Object.assign(new Error("EISDIR: illegal operation on a directory, open 'aigov.lock'"), { code: 'EISDIR', syscall: 'open', path: 'aigov.lock' }), 2, ['error E_FILE_UNREADABLE: aigov.lock: is a folder, not a file']],
    ['a full disk is infrastructure', Object.assign(new Error('ENOSPC'), { code: 'ENOSPC', syscall: 'write' }), 3, ['error E_FILE_SYSTEM: a file: the disk is full']],
  ])('%s', (_n, err, exitCode, lines) => {
    const c = capture();
    expect(reportError(err, c.o, false)).toBe(exitCode);
    expect(c.err).toEqual(lines);
    expect(c.out).toEqual([]);
  });

  it('shows what a command or a server said with its terminal controls as visible stand-ins; --json keeps it exactly', () => {
    const said = 'boom \u001b[2J\u001b]0;pwned\u0007 \u202eevil\r';
    const err = new ProviderError('exec', `exec provider "house": \`node house.mjs\` exited with code 1: ${said}`, { hint: `it said: ${said}` });
    const text = capture();
    expect(reportError(err, text.o, false)).toBe(3);
    expect(text.err).toEqual([
      'error E_PROVIDER_EXEC: exec provider "house": `node house.mjs` exited with code 1: boom ␛[2J␛]0;pwned␇ ⟨U+202E⟩evil␍',
      '  hint: it said: boom ␛[2J␛]0;pwned␇ ⟨U+202E⟩evil␍',
    ]);
    const json = capture(true);
    reportError(err, json.o, false);
    expect(JSON.parse(json.out[0]).error.message).toBe(err.message);
    const workspace = capture();
    reportError(new InvalidWorkspaceError([{ ...problems[0], message: `unknown model "\u001b[31mfats"` }]), workspace.o, false);
    expect(workspace.err[0]).toBe('prompts/a.yaml:3:8 error model: unknown model "␛[31mfats" (did you mean "fast"?)');
  });

  it('shows the stack of an internal error only with --debug', () => {
    const cause = new TypeError('boom');
    const plain = capture();
    reportError(new InternalError('x', { cause }), plain.o, false);
    expect(plain.err.join('\n')).not.toMatch(/\n\s+at /);
    const debug = capture();
    reportError(new InternalError('x', { cause }), debug.o, true);
    expect(debug.err).toHaveLength(2);
    expect(debug.err[1]).toBe(cause.stack);
  });
});

describe('reportError, --json', () => {
  it.each<[string, unknown, object]>([
    ['a usage error', new UsageError('bad', { hint: 'h' }), { code: 'E_USAGE', message: 'bad', hint: 'h', location: null }],
    ['a located gate', new GateError('E_UNLOCKED', 'nope', { location: { file: 'aigov.yaml', line: 2 } }), { code: 'E_UNLOCKED', message: 'nope', hint: null, location: { file: 'aigov.yaml', line: 2 } }],
    ['an internal error', new TypeError('boom'), { code: 'E_INTERNAL', message: 'unexpected error: TypeError: boom', hint: expect.stringMatching(/bug in aigov/), location: null }],
    [
      'workspace problems, all of them',
      new InvalidWorkspaceError(problems),
      { code: 'E_INVALID', message: '1 error in the workspace: nothing was run or written', hint: null, location: { file: 'prompts/a.yaml', line: 3, col: 8, path: 'model' }, problems },
    ],
  ])('%s is one {"error": …} object on stdout', (_n, err, error) => {
    const c = capture(true);
    reportError(err, c.o, false);
    expect(c.out).toHaveLength(1);
    const parsed = JSON.parse(c.out[0]);
    expect(Object.keys(parsed)).toEqual(['error']);
    expect(parsed.error).toEqual(error);
  });
});
