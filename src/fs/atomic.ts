// Every file aigov writes goes through here: a temporary file beside the target,
// fsync, then rename, so a reader never sees half a file.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';

/**
 * A failure on the temporary file is a failure to write the target: the error
 * names the target and counts as a write, so the user reads "aigov.lock:
 * permission denied: it cannot be written", not a read error on a file they never
 * heard of. The errno stays as it was.
 */
function onTarget(err: unknown, tmp: string, path: string): unknown {
  const e = err as { path?: unknown; dest?: unknown } | null;
  if (e && typeof e === 'object' && (e.path === tmp || e.dest === path)) Object.assign(e, { path, dest: undefined, syscall: 'write' });
  return err;
}

/**
 * The folder a file goes into, made where missing. A file in the way of one of its
 * folders fails mkdir with EEXIST ("already exists", of a folder nobody asked
 * for): it is reported as the file's path running through a file.
 */
function makeFolderFor(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw throughFile(err, path);
  }
}

async function makeFolderForQuick(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true }).catch((err: unknown) => Promise.reject(throughFile(err, path)));
}

function throughFile(err: unknown, path: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EEXIST' || e?.code === 'ENOTDIR') Object.assign(e, { code: 'ENOTDIR', path, syscall: 'write' });
  return err;
}

/** `durable: false` skips the fsync, for rebuildable files such as caches: never torn, but a crash may lose them. */
export function writeFileAtomic(path: string, content: string | Uint8Array, opts: { durable?: boolean } = {}): void {
  const dir = dirname(path);
  makeFolderFor(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
      if (opts.durable !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw onTarget(err, tmp, path);
  }
}

/** Writes several files so that either all are replaced or, on a failure before the renames, none is. */
export function writeFilesAtomic(files: { path: string; content: string }[]): void {
  const staged: { tmp: string; path: string }[] = [];
  try {
    for (const f of files) {
      const dir = dirname(f.path);
      makeFolderFor(f.path);
      const tmp = join(dir, `.${basename(f.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      try {
        const fd = openSync(tmp, 'w', 0o644);
        try {
          writeSync(fd, Buffer.from(f.content, 'utf8'));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      } catch (err) {
        rmSync(tmp, { force: true });
        throw onTarget(err, tmp, f.path);
      }
      staged.push({ tmp, path: f.path });
    }
  } catch (err) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    throw err;
  }
  for (const s of staged) {
    try {
      renameSync(s.tmp, s.path);
    } catch (err) {
      throw onTarget(err, s.tmp, s.path);
    }
  }
}

/**
 * For rebuildable files (caches): atomic, so never read half-written, but not
 * fsynced and off the event loop. A crash may lose the file, never corrupt it.
 */
export async function writeFileAtomicQuick(path: string, content: string): Promise<void> {
  const dir = dirname(path);
  await makeFolderForQuick(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw onTarget(err, tmp, path);
  }
}

/**
 * A file written in full beside its target and fsynced, not yet in place:
 * `commit` renames it over the target (atomic), `discard` removes it. For
 * writes that must wait for something else to succeed first (a run log
 * append), with the slow, failing parts (space, permissions) already done.
 */
export interface StagedFile {
  readonly path: string;
  commit(): void;
  discard(): void;
}

export function stageFile(path: string, content: string): StagedFile {
  const dir = dirname(path);
  makeFolderFor(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, Buffer.from(content, 'utf8'));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw onTarget(err, tmp, path);
  }
  return {
    path,
    commit: () => {
      try {
        renameSync(tmp, path);
      } catch (err) {
        throw onTarget(err, tmp, path);
      }
    },
    discard: () => rmSync(tmp, { force: true }),
  };
}
