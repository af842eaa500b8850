// What the operating system says about a path, turned into an error a person can
// act on. A folder where a file should be, a dangling link or a read-only disk is
// the user's environment (exit 2) or the machine's (exit 3), never a bug in aigov.
import { AigovError, asInternal, type ErrorCode, type ExitCode } from '../errors.js';

export type FileUse = 'read' | 'write';

interface Described {
  reason: string;
  exitCode: Extract<ExitCode, 2 | 3>;
}

const INFRASTRUCTURE: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EIO: 'an input/output error on the disk',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files on this machine',
  ENOMEM: 'out of memory',
  EBUSY: 'the file or device is busy',
  ETIMEDOUT: 'the file system did not answer in time',
  ESTALE: 'a stale network file handle',
};

/** Why `use` of a path failed with this errno, in words. */
export function describeErrno(errno: string, use?: FileUse): Described {
  const user = (reason: string): Described => ({ reason, exitCode: 2 });
  switch (errno) {
    case 'ENOENT':
      return user(use === 'write' ? 'its folder does not exist' : 'does not exist, or is a symbolic link to nothing');
    case 'EISDIR':
      return user('is a folder, not a file');
    case 'ENOTDIR':
      return user('a part of its path is a file, not a folder');
    case 'ELOOP':
      return user('is a symbolic link that loops');
    case 'EACCES':
    case 'EPERM':
      return user(use === 'write' ? 'permission denied: it cannot be written' : use === 'read' ? 'permission denied: it cannot be read' : 'permission denied');
    case 'EROFS':
      return user('is on a read-only file system');
    case 'ENAMETOOLONG':
      return user('its name is too long');
    case 'ENXIO':
    case 'ENODEV':
      return user('is not a regular file');
    case 'EEXIST':
      return user('already exists');
    case 'ENOTEMPTY':
      return user('is a folder that is not empty');
  }
  return { reason: INFRASTRUCTURE[errno] ?? `the file system refused it (${errno})`, exitCode: 3 };
}

const WRITE_CALLS = new Set(['write', 'rename', 'mkdir', 'mkdtemp', 'unlink', 'rmdir', 'rm', 'symlink', 'link', 'copyfile', 'ftruncate', 'fsync', 'chmod', 'utime']);
const READ_CALLS = new Set(['read', 'stat', 'lstat', 'fstat', 'scandir', 'opendir', 'readlink', 'realpath', 'access']);

/** A Node system error from a file-system call (not, say, a refused connection). The path is missing on `read`. */
export function isFileSystemError(err: unknown): err is NodeJS.ErrnoException & { code: string; syscall: string } {
  const e = err as Partial<NodeJS.ErrnoException> | null;
  return (
    !!e &&
    typeof e === 'object' &&
    typeof e.code === 'string' &&
    /^E[A-Z0-9]+$/.test(e.code) &&
    typeof e.syscall === 'string' &&
    (e.syscall === 'open' || e.syscall === 'close' || WRITE_CALLS.has(e.syscall) || READ_CALLS.has(e.syscall))
  );
}

/**
 * The error to show for a file-system failure on `path`; undefined when `err` is
 * not one (then it is nobody's fault but aigov's). `code` names what was being
 * done where the caller knows better than the errno (E_OUTPUT_PATH for -o).
 */
export function fileError(err: unknown, path: string | undefined, use?: FileUse, code?: ErrorCode): AigovError | undefined {
  const errno = (err as { code?: unknown } | null)?.code;
  if (typeof errno !== 'string' || !/^E[A-Z0-9]+$/.test(errno)) return undefined;
  const syscall = (err as { syscall?: unknown }).syscall;
  const how = use ?? (typeof syscall === 'string' && WRITE_CALLS.has(syscall) ? 'write' : typeof syscall === 'string' && READ_CALLS.has(syscall) ? 'read' : undefined);
  const d = describeErrno(errno, how);
  const userCode: ErrorCode = code ?? (how === 'write' ? 'E_FILE_UNWRITABLE' : 'E_FILE_UNREADABLE');
  return new AigovError(d.exitCode === 3 ? 'E_FILE_SYSTEM' : userCode, `${path ?? 'a file'}: ${d.reason}`, { exitCode: d.exitCode, location: path === undefined ? undefined : { file: path }, cause: err });
}

/**
 * Anything thrown, as the error to report: an AigovError as it is, a
 * file-system failure as the user's (or the machine's), anything else as a bug.
 */
export function classifyThrown(err: unknown, where: string): AigovError {
  if (err instanceof AigovError) return err;
  if (isFileSystemError(err)) return fileError(err, err.path)!;
  return asInternal(err, where);
}
