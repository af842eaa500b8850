import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initWorkspace } from './init.js';

let dirs: string[] = [];
afterEach(() => {
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  dirs = [];
});
function temp(files: Record<string, string> = {}): string {
  const d = mkdtempSync(join(tmpdir(), 'aigov-init-'));
  dirs.push(d);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(d, p, '..'), { recursive: true });
    writeFileSync(join(d, p), c);
  }
  return d;
}

describe('initWorkspace: error codes', () => {
  it.each<[string, Record<string, string>, string, { force?: boolean }, string]>([
    ['a workspace here', { 'aigov.yaml': 'x' }, '.', {}, 'E_WORKSPACE_EXISTS'],
    ['a workspace above, even with force', { 'aigov.yaml': 'x' }, 'a/b', { force: true }, 'E_WORKSPACE_EXISTS'],
    ['an existing file', { 'evals/sentiment.yaml': 'x' }, '.', {}, 'E_FILE_EXISTS'],
    ['a file where a folder goes', { prompts: 'x' }, '.', { force: true }, 'E_USAGE'],
  ])('%s', (_name, files, dir, opts, code) => {
    const root = temp(files);
    expect(() => initWorkspace(join(root, dir), opts)).toThrow(expect.objectContaining({ code, exitCode: 2 }));
  });
});

describe('initWorkspace: a failed write', () => {
  it('leaves no file and no folder it created behind', async () => {
    const { vi } = await import('vitest');
    const atomic = await import('../fs/atomic.js');
    const root = temp({ '.gitignore': 'dist/\n' });
    // The folders get made, then the disk refuses: what a full disk or a permission looks like.
    const spy = vi.spyOn(atomic, 'writeFilesAtomic').mockImplementation((files) => {
      for (const f of files) mkdirSync(join(f.path, '..'), { recursive: true });
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    });
    try {
      expect(() => initWorkspace(join(root, 'ws'))).toThrow('EACCES');
      const { readdirSync, readFileSync } = await import('node:fs');
      expect(readdirSync(root)).toEqual(['.gitignore']);
      expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('dist/\n');
    } finally {
      spy.mockRestore();
    }
  });
});
