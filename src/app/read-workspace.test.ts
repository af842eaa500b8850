// The disk's failures as problems with the file's name: never a crash, never a hang.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRoot, listWorkspaceFiles, readWorkspaceFile } from './read-workspace.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aigov-read-'));
  mkdirSync(join(root, 'prompts'));
  writeFileSync(join(root, 'aigov.yaml'), 'version: 1\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('readWorkspaceFile', () => {
  it.each<[string, (p: string) => void, string, string | undefined]>([
    ['a folder', (p) => mkdirSync(p), 'is a folder, not a file', 'a folder cannot stand in for a file; rename or remove it'],
    ['a dangling link', (p) => symlinkSync('gone.yaml', p), 'is a symbolic link to gone.yaml, which does not exist', 'point the link at a file, or remove it'],
    ['a looping link', (p) => symlinkSync('x.yaml', p), 'is a symbolic link that loops', 'point the link at a file, or remove it'],
    ['a FIFO', (p) => execFileSync('mkfifo', [p]), 'is not a regular file', 'replace it with a YAML file'],
  ])('%s', (_n, make, message, hint) => {
    make(join(root, 'prompts/x.yaml'));
    expect(readWorkspaceFile(root, 'prompts/x.yaml')).toEqual({ path: 'prompts/x.yaml', problem: { severity: 'error', code: 'E_FILE_UNREADABLE', file: 'prompts/x.yaml', message, hint } });
  });

  it('reads a link to a file as the file', () => {
    writeFileSync(join(root, 'prompts/real.yaml'), 'id: x\n');
    symlinkSync('real.yaml', join(root, 'prompts/x.yaml'));
    expect(readWorkspaceFile(root, 'prompts/x.yaml')).toEqual({ path: 'prompts/x.yaml', text: 'id: x\n' });
  });
});

describe('listWorkspaceFiles', () => {
  it('lists a dangling lock, so that it is reported rather than taken for no lock', () => {
    symlinkSync('gone.lock', join(root, 'aigov.lock'));
    expect(listWorkspaceFiles(root).files).toEqual(['aigov.yaml', 'aigov.lock']);
  });

  it.each<[string, (p: string) => void, RegExp]>([
    ['a file', (p) => writeFileSync(p, 'x'), /^is a file, not a folder: its evals cannot be read$/],
    ['a dangling link', (p) => symlinkSync('gone', p), /^is a symbolic link to nothing: its evals cannot be read$/],
  ])('reports a folder that is %s', (_n, make, message) => {
    make(join(root, 'evals'));
    const { problems } = listWorkspaceFiles(root);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ severity: 'error', code: 'E_FILE_UNREADABLE', file: 'evals' });
    expect(problems[0].message).toMatch(message);
  });
});

describe('findRoot', () => {
  it('stops at a broken aigov.yaml instead of walking up to another workspace', () => {
    const inner = join(root, 'inner');
    mkdirSync(inner);
    symlinkSync('gone.yaml', join(inner, 'aigov.yaml'));
    expect(findRoot({ cwd: inner })).toBe(inner);
    expect(findRoot({ root: inner })).toBe(inner);
  });
});
