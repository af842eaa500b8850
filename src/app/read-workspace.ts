// The edge where workspace files are read from disk: root discovery, size and
// encoding checks. Everything after the bytes is pure (core/workspace/build).
// What the disk does wrong (a folder where a file should be, a dangling or
// looping link, no permission) is a problem with the file's name, never a crash.
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AigovError, UsageError, type Problem } from '../errors.js';
import { parseDotenv } from '../core/dotenv.js';
import { buildWorkspace } from '../core/workspace/build.js';
import { decodeWorkspaceFile, MAX_FILE_BYTES, tooLarge } from '../core/workspace/decode.js';
import { describeErrno, fileError } from '../fs/file-errors.js';
import { cachingJsonSchemaCheck } from './output-schema.js';
import { cachingParse } from './parse-cache.js';
import type { RawFile, Workspace } from '../core/workspace/workspace.js';

export { MAX_FILE_BYTES } from '../core/workspace/decode.js';
const FOLDERS = ['prompts', 'evals', 'automations'];

/** Whether anything is at `path`, a dangling or looping link included (existsSync says no to those). */
function entryExists(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch (err) {
    // A file where a folder of the path should be: nothing can be there.
    return (err as NodeJS.ErrnoException).code !== 'ENOTDIR';
  }
}

/** Whether `path` is there and is something other than a folder (a link followed). */
function isFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() === false;
  } catch {
    return false;
  }
}

/** The nearest folder at or above `cwd` holding aigov.yaml; `--root` / AIGOV_ROOT win. */
export function findRoot(opts: { root?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const explicit = opts.root ?? opts.env?.AIGOV_ROOT;
  if (explicit) {
    const root = resolve(opts.cwd ?? process.cwd(), explicit);
    const where = opts.root ? '--root' : 'AIGOV_ROOT';
    if (isFile(root)) {
      throw new UsageError(`${where} ${explicit}: is a file, not a folder`, { code: 'E_NO_WORKSPACE', hint: 'point it at the folder that holds aigov.yaml' });
    }
    if (!entryExists(join(root, 'aigov.yaml'))) throw new UsageError(`no aigov.yaml in ${root}`, { code: 'E_NO_WORKSPACE', hint: 'run `aigov init` there, or point --root at a workspace' });
    return root;
  }
  let dir = resolve(opts.cwd ?? process.cwd());
  for (;;) {
    // A broken aigov.yaml still marks the root: it is reported, not skipped for a workspace further up.
    if (entryExists(join(dir, 'aigov.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new UsageError('no aigov.yaml here or in any parent folder', { code: 'E_NO_WORKSPACE', hint: 'run `aigov init`, or pass --root DIR' });
    dir = up;
  }
}

/** Reads one workspace file as UTF-8 text, or returns the problem that prevents it. */
export function readWorkspaceFile(root: string, path: string): RawFile {
  const full = join(root, path);
  const st = statOf(full);
  if (typeof st === 'string') return unreadable(path, full, st);
  if (st.isDirectory()) return unreadable(path, full, 'EISDIR');
  // A FIFO or a device would block the read, or never end it.
  if (!st.isFile()) return { path, problem: { severity: 'error', code: 'E_FILE_UNREADABLE', file: path, message: 'is not a regular file', hint: 'replace it with a YAML file' } };
  // The size and UTF-8 checks are the ones git's bytes get too (a workspace at a ref).
  if (st.size > MAX_FILE_BYTES) return tooLarge(path, st.size);
  let bytes: Buffer;
  try {
    bytes = readFileSync(full);
  } catch (err) {
    return unreadable(path, full, errnoOf(err));
  }
  return decodeWorkspaceFile(path, bytes);
}

function statOf(full: string): Stats | string {
  try {
    return statSync(full);
  } catch (err) {
    return errnoOf(err);
  }
}

function errnoOf(err: unknown): string {
  return String((err as NodeJS.ErrnoException).code ?? 'EIO');
}

/**
 * The problem for a file the disk will not give: the user's to fix (exit 2),
 * unless the machine failed (a full disk, an I/O error), which stops everything (exit 3).
 */
function unreadable(path: string, full: string, errno: string): RawFile {
  const d = describeErrno(errno, 'read');
  if (d.exitCode === 3) throw new AigovError('E_FILE_SYSTEM', `${path}: ${d.reason}`, { exitCode: 3, location: { file: path } });
  let message = d.reason;
  if (errno === 'ENOENT') {
    const target = linkTarget(full);
    message = target === undefined ? 'does not exist' : `is a symbolic link to ${target}, which does not exist`;
  }
  return { path, problem: { severity: 'error', code: 'E_FILE_UNREADABLE', file: path, message, hint: hintFor(errno) } };
}

function linkTarget(full: string): string | undefined {
  try {
    return readlinkSync(full);
  } catch {
    return undefined;
  }
}

function hintFor(errno: string): string | undefined {
  if (errno === 'EISDIR') return 'a folder cannot stand in for a file; rename or remove it';
  if (errno === 'ENOENT' || errno === 'ELOOP') return 'point the link at a file, or remove it';
  if (errno === 'EACCES' || errno === 'EPERM') return 'make it readable (chmod +r)';
  return undefined;
}

/** Every workspace file, and a problem for each folder that cannot be listed. */
export function listWorkspaceFiles(root: string): { files: string[]; problems: Problem[] } {
  const files = ['aigov.yaml'];
  const problems: Problem[] = [];
  if (entryExists(join(root, 'aigov.lock'))) files.push('aigov.lock');
  for (const folder of FOLDERS) {
    const dir = join(root, folder);
    if (!entryExists(dir)) continue;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      const errno = errnoOf(err);
      const d = describeErrno(errno, 'read');
      if (d.exitCode === 3) throw new AigovError('E_FILE_SYSTEM', `${folder}: ${d.reason}`, { exitCode: 3, location: { file: folder } });
      const reason = errno === 'ENOTDIR' ? 'is a file, not a folder' : errno === 'ENOENT' ? 'is a symbolic link to nothing' : d.reason;
      problems.push({ severity: 'error', code: 'E_FILE_UNREADABLE', file: folder, message: `${reason}: its ${folder} cannot be read`, hint: `${folder}/ holds one YAML file per ${folder === 'evals' ? 'suite' : folder.slice(0, -1)}` });
      continue;
    }
    for (const name of names.sort()) if (/\.ya?ml$/.test(name) && !name.startsWith('.')) files.push(`${folder}/${name}`);
  }
  return { files, problems };
}

export function readWorkspace(root: string): Workspace {
  const { files, problems } = listWorkspaceFiles(root);
  const raw: RawFile[] = [...problems.map((problem) => ({ path: problem.file, problem })), ...files.map((f) => readWorkspaceFile(root, f))];
  return buildWorkspace(root, raw, cachingParse(root), { checkJsonSchema: cachingJsonSchemaCheck(root) });
}

/**
 * process.env over the workspace's .env: secrets come only from the environment.
 * `onProblem` hears of each line of .env that was not read (file:line, never the value).
 */
export function workspaceEnv(root: string, env: NodeJS.ProcessEnv = process.env, onProblem?: (p: Problem) => void): Record<string, string | undefined> {
  const file = join(root, '.env');
  if (!existsSync(file)) return { ...env };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    // A folder, no permission: the user's, named by its path.
    throw fileError(err, '.env', 'read') ?? err;
  }
  const dotenv = parseDotenv(text, '.env');
  if (onProblem) dotenv.problems.forEach(onProblem);
  return { ...dotenv.values, ...env };
}

