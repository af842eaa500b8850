import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeErrno, fileError, isFileSystemError } from './file-errors.js';

const sysErr = (code: string, syscall: string, path = '/x/y.yaml') => Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path, errno: -1 });

describe('describeErrno', () => {
  it.each<[string, 'read' | 'write' | undefined, RegExp, 2 | 3]>([
    ['EISDIR', 'read', /is a folder, not a file/, 2],
    ['ENOENT', 'read', /does not exist, or is a symbolic link to nothing/, 2],
    ['ENOENT', 'write', /its folder does not exist/, 2],
    ['ELOOP', 'read', /symbolic link that loops/, 2],
    ['EACCES', 'read', /permission denied: it cannot be read/, 2],
    ['EACCES', 'write', /permission denied: it cannot be written/, 2],
    ['EPERM', undefined, /^permission denied$/, 2],
    ['ENOTDIR', 'read', /a part of its path is a file/, 2],
    ['EROFS', 'write', /read-only file system/, 2],
    ['ENXIO', 'write', /not a regular file/, 2],
    ['ENOSPC', 'write', /disk is full/, 3],
    ['EIO', 'read', /input\/output error/, 3],
    ['EMFILE', 'read', /too many open files/, 3],
    ['EWHATEVER', 'read', /refused it \(EWHATEVER\)/, 3],
  ])('%s on %s', (errno, use, reason, exitCode) => {
    const d = describeErrno(errno, use);
    expect(d.reason).toMatch(reason);
    expect(d.exitCode).toBe(exitCode);
  });
});

describe('fileError', () => {
  it.each<[string, Error, string, 2 | 3]>([
    ['a read that met a folder', sysErr('EISDIR', 'read'), 'E_FILE_UNREADABLE', 2],
    ['an open that was refused', sysErr('EACCES', 'open'), 'E_FILE_UNREADABLE', 2],
    ['a rename onto a read-only disk', sysErr('EROFS', 'rename'), 'E_FILE_UNWRITABLE', 2],
    ['a write to a full disk', sysErr('ENOSPC', 'write'), 'E_FILE_SYSTEM', 3],
  ])('%s', (_n, err, code, exitCode) => {
    const e = fileError(err, '/x/y.yaml')!;
    expect(e).toMatchObject({ code, exitCode, location: { file: '/x/y.yaml' } });
    expect(e.message).toMatch(/^\/x\/y.yaml: /);
    expect(e.cause).toBe(err);
  });

  it('takes the code of what was being done from the caller', () => {
    expect(fileError(sysErr('EISDIR', 'open'), '-o out', 'write', 'E_OUTPUT_PATH')).toMatchObject({ code: 'E_OUTPUT_PATH', exitCode: 2, message: '-o out: is a folder, not a file' });
  });

  it('is undefined for what is not a file-system error', () => {
    expect(fileError(new TypeError('x'), '/p')).toBeUndefined();
    expect(fileError('ENOENT', '/p')).toBeUndefined();
  });

  it('recognises what Node really throws', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigov-errno-'));
    try {
      symlinkSync(join(dir, 'loop'), join(dir, 'loop'));
      const thrown: unknown[] = [];
      for (const p of [dir, join(dir, 'loop'), join(dir, 'missing')]) {
        try {
          readFileSync(p);
        } catch (err) {
          thrown.push(err);
        }
      }
      expect(thrown.every(isFileSystemError)).toBe(true);
      expect(thrown.map((e) => fileError(e, 'f')!.message)).toEqual(['f: is a folder, not a file', 'f: is a symbolic link that loops', 'f: does not exist, or is a symbolic link to nothing']);
      expect(isFileSystemError(new Error('x'))).toBe(false);
      expect(isFileSystemError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED', syscall: 'connect' }))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
