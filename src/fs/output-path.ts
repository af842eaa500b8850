// Checks that a report can be written where it is asked for, before the work that
// produces it starts: finding out after a paid-for eval that `-o` names a folder
// throws the run away.
import { accessSync, constants, lstatSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AigovError } from '../errors.js';
import { describeErrno } from './file-errors.js';

export interface OutputTarget {
  /** As the user gave it. */
  path: string;
  /** How the user gave it, for the message: `-o`, `GITHUB_STEP_SUMMARY`. */
  label: string;
  /** Appended to (GITHUB_STEP_SUMMARY), or replaced by a rename (-o). */
  append?: boolean;
}

/** Throws E_OUTPUT_PATH (exit 2) when `target` cannot be written. */
export function checkOutputPath(target: OutputTarget, cwd: string = process.cwd()): void {
  const full = resolve(cwd, target.path);
  const fail: (reason: string, hint?: string) => never = (reason, hint) => {
    throw new AigovError('E_OUTPUT_PATH', `${target.label} ${target.path}: ${reason}`, { exitCode: 2, hint, location: { file: target.path } });
  };
  const st = statOrErrno(full);
  if (typeof st === 'string') {
    if (st === 'ENOENT' && lstatSync(full, { throwIfNoEntry: false })?.isSymbolicLink()) fail('is a symbolic link to nothing', 'remove the link, or point it at a file');
    if (st !== 'ENOENT') fail(describeErrno(st).reason);
  } else if (st.isDirectory()) {
    fail('is a folder, not a file', `name a file inside it, for example ${target.path.replace(/\/+$/, '')}/${target.append ? 'summary.md' : 'report.json'}`);
  } else if (!st.isFile()) {
    fail('is not a regular file', target.append ? undefined : 'to print the report, use --format instead');
  } else if (target.append) {
    writable(full, (errno) => fail(errno === 'EROFS' ? 'is on a read-only file system' : 'permission denied: it cannot be written'));
    return;
  }
  // A new file, or one replaced by a rename: what matters is its folder.
  const dir = dirname(full);
  const parent = statOrErrno(dir);
  if (parent === 'ENOENT') fail(`its folder ${dirname(target.path)} does not exist`, `create it first (mkdir -p ${dirname(target.path)})`);
  if (typeof parent === 'string') fail(`its folder ${dirname(target.path)} ${describeErrno(parent).reason}`);
  if (!parent.isDirectory()) fail(`${dirname(target.path)} is a file, not a folder`);
  writable(dir, (errno) => fail(errno === 'EROFS' ? `its folder ${dirname(target.path)} is on a read-only file system` : `permission denied: nothing can be written in ${dirname(target.path)}`));
}

/**
 * Throws E_OUTPUT_PATH (exit 2) when files cannot be written into the folder
 * `target.path` (made where missing, as `--record` makes fixtures/): checked
 * before the calls whose answers it would keep.
 */
export function checkOutputFolder(target: OutputTarget, cwd: string = process.cwd()): void {
  const full = resolve(cwd, target.path);
  const fail: (reason: string, hint?: string) => never = (reason, hint) => {
    throw new AigovError('E_OUTPUT_PATH', `${target.label} ${target.path}: ${reason}`, { exitCode: 2, hint, location: { file: target.path } });
  };
  const st = statOrErrno(full);
  if (st === 'ENOENT') {
    if (lstatSync(full, { throwIfNoEntry: false })?.isSymbolicLink()) fail('is a symbolic link to nothing', 'remove the link, or point it at a folder');
    // Made by the first write: what matters is the folder it goes into.
    const parent = dirname(full);
    writable(parent, (errno) => fail(errno === 'EROFS' ? 'its folder is on a read-only file system' : `it does not exist, and permission denied: it cannot be made in ${dirname(target.path)}`));
    return;
  }
  if (typeof st === 'string') fail(describeErrno(st).reason);
  if (!st.isDirectory()) fail('is a file, not a folder', `${target.path}/ holds one YAML file per prompt: move the file away`);
  writable(full, (errno) => fail(errno === 'EROFS' ? 'is on a read-only file system' : 'permission denied: nothing can be written in it'));
}

function statOrErrno(path: string): Stats | string {
  try {
    return statSync(path);
  } catch (err) {
    return String((err as NodeJS.ErrnoException).code ?? 'EIO');
  }
}

function writable(path: string, onDenied: (errno: string) => void): void {
  try {
    accessSync(path, constants.W_OK);
  } catch (err) {
    onDenied(String((err as NodeJS.ErrnoException).code));
  }
}
