import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AigovError } from '../errors.js';
import { checkOutputFolder, checkOutputPath } from './output-path.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aigov-out-'));
  mkdirSync(join(dir, 'reports'));
  writeFileSync(join(dir, 'old.json'), '{}');
  writeFileSync(join(dir, 'a-file'), 'x');
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling.json'));
  symlinkSync(join(dir, 'loop.json'), join(dir, 'loop.json'));
  execFileSync('mkfifo', [join(dir, 'pipe.json')]);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function check(path: string, append = false): AigovError | undefined {
  try {
    checkOutputPath({ path, label: append ? 'GITHUB_STEP_SUMMARY' : '-o', append }, dir);
    return undefined;
  } catch (err) {
    return err as AigovError;
  }
}

describe('checkOutputPath', () => {
  it.each([['report.json'], ['reports/eval.xml'], ['old.json'], [`${'/'}tmp/../tmp/aigov-any.json`]])('accepts %s', (path) => expect(check(path)).toBeUndefined());

  it('accepts a summary file that exists, or not yet', () => {
    expect(check('old.json', true)).toBeUndefined();
    expect(check('summary.md', true)).toBeUndefined();
  });

  it.each<[string, boolean, RegExp, RegExp?]>([
    ['reports', false, /^-o reports: is a folder, not a file$/, /reports\/report.json/],
    ['reports/', false, /is a folder, not a file/],
    ['missing/report.json', false, /^-o missing\/report.json: its folder missing does not exist$/, /mkdir -p missing/],
    ['a-file/report.json', false, /^-o a-file\/report.json: a part of its path is a file, not a folder$/],
    ['dangling.json', false, /is a symbolic link to nothing/],
    ['loop.json', false, /symbolic link that loops/],
    ['pipe.json', false, /is not a regular file/, /--format/],
    ['reports', true, /^GITHUB_STEP_SUMMARY reports: is a folder, not a file$/],
    ['missing/summary.md', true, /its folder missing does not exist/],
    ['pipe.json', true, /is not a regular file/],
  ])('refuses %s (append: %s)', (path, append, message, hint) => {
    const e = check(path, append);
    expect(e).toBeInstanceOf(AigovError);
    expect(e).toMatchObject({ code: 'E_OUTPUT_PATH', exitCode: 2, location: { file: path } });
    expect(e!.message).toMatch(message);
    if (hint) expect(e!.hint).toMatch(hint);
  });
});

describe('checkOutputFolder', () => {
  const folder = (path: string): AigovError | undefined => {
    try {
      checkOutputFolder({ path, label: '--record' }, dir);
      return undefined;
    } catch (err) {
      return err as AigovError;
    }
  };

  it.each([['reports'], ['fixtures'], ['reports/new']])('accepts %s: a folder there, or one that can be made', (path) => expect(folder(path)).toBeUndefined());

  it.each<[string, RegExp]>([
    ['a-file', /^--record a-file: is a file, not a folder$/],
    ['dangling.json', /^--record dangling.json: is a symbolic link to nothing$/],
    ['loop.json', /^--record loop.json: is a symbolic link that loops$/],
    ['a-file/fixtures', /^--record a-file\/fixtures: a part of its path is a file, not a folder$/],
  ])('refuses %s with E_OUTPUT_PATH, exit 2', (path, message) => {
    const e = folder(path);
    expect(e).toMatchObject({ code: 'E_OUTPUT_PATH', exitCode: 2, location: { file: path } });
    expect(e!.message).toMatch(message);
  });
});
