// `aigov init [dir]`: scaffold a workspace. It never overwrites a file unless
// told to (--force, which lists what it replaces), never scaffolds inside an
// existing workspace, and writes every file or none.
import { existsSync, lstatSync, readFileSync, rmdirSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';
import { gitignoreWith, SCAFFOLD } from '../core/scaffold.js';
import { writeFilesAtomic } from '../fs/atomic.js';

export interface InitResult {
  root: string;
  /** Every file written, relative to root. */
  files: string[];
  /** Files that existed and were replaced (only with `force`). */
  replaced: string[];
  gitignore: 'created' | 'appended' | 'unchanged';
}

export function initWorkspace(dir: string, opts: { force?: boolean } = {}): InitResult {
  const root = resolve(dir);
  const rootStat = statOf(root, true);
  if (rootStat && !rootStat.isDirectory()) throw new UsageError(`${root} is not a folder`, { hint: 'name a new or an existing folder' });
  refuseInsideWorkspace(root);

  const files = Object.entries(SCAFFOLD).map(([path, content]) => ({ path, content }));
  const existing = files.filter((f) => {
    checkFoldersOnTheWay(root, f.path);
    const st = statOf(join(root, f.path), false);
    if (st?.isDirectory()) throw new UsageError(`${join(root, f.path)} is a folder, where init writes a file`, { hint: 'move it away, then run init again' });
    return !!st;
  });
  if (existing.length && !opts.force) {
    const names = existing.map((f) => f.path);
    throw new UsageError(`init would overwrite ${names.length} existing file${names.length === 1 ? '' : 's'}: ${names.join(', ')}`, {
      code: 'E_FILE_EXISTS',
      hint: 'nothing was written; move them away, or pass --force to replace them',
    });
  }

  const gitignorePath = join(root, '.gitignore');
  const gitignoreStat = statOf(gitignorePath, true);
  if (gitignoreStat && !gitignoreStat.isFile()) throw new UsageError(`${gitignorePath} is not a file (a folder, or a link to nothing), where init appends to one`, { hint: 'move it away, then run init again' });
  const before = gitignoreStat ? readFileSync(gitignorePath, 'utf8') : undefined;
  const gitignore = gitignoreWith(before);
  if (gitignore !== undefined) files.push({ path: '.gitignore', content: gitignore });

  writeAll(root, files);
  return {
    root,
    files: files.map((f) => f.path),
    replaced: existing.map((f) => f.path),
    gitignore: gitignore === undefined ? 'unchanged' : before === undefined ? 'created' : 'appended',
  };
}

/** A workspace inside another makes which aigov.yaml a command reads depend on the folder it runs in. */
function refuseInsideWorkspace(root: string): void {
  for (let d = root; ; d = dirname(d)) {
    if (existsSync(join(d, 'aigov.yaml'))) {
      if (d === root) throw new UsageError(`${join(d, 'aigov.yaml')} already exists: ${root} is already an aigov workspace`, { code: 'E_WORKSPACE_EXISTS', hint: 'nothing was written; use it as it is (aigov validate), or scaffold in a new folder' });
      throw new UsageError(`${root} is inside the aigov workspace at ${d}`, {
        code: 'E_WORKSPACE_EXISTS',
        hint: 'nothing was written; a workspace inside another confuses which aigov.yaml a command reads; scaffold outside it',
      });
    }
    if (dirname(d) === d) return;
  }
}

/** `prompts/` must be a folder (or not exist yet): a file there cannot be replaced by one. */
function checkFoldersOnTheWay(root: string, path: string): void {
  const parts = path.split('/').slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const folder = join(root, ...parts.slice(0, i));
    const st = statOf(folder, true);
    if (st && !st.isDirectory()) throw new UsageError(`${folder} is not a folder (a file, or a link to nothing), where init needs one`, { hint: 'move it away, then run init again' });
  }
}

/** lstat (a dangling symlink exists too), or stat to follow links to folders; undefined when nothing is there. */
function statOf(path: string, follow: boolean): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return follow ? lstatSync(path, { throwIfNoEntry: false }) : undefined;
    throw err;
  }
}

/** All files or none; folders this run created are removed again if the write fails. */
function writeAll(root: string, files: { path: string; content: string }[]): void {
  const created = new Set<string>();
  for (const f of files) {
    for (let d = dirname(join(root, f.path)); !existsSync(d); d = dirname(d)) created.add(d);
  }
  try {
    writeFilesAtomic(files.map((f) => ({ path: join(root, f.path), content: f.content })));
  } catch (err) {
    // Deepest first, and only if still empty: rmdir refuses a folder with anything in it.
    for (const d of [...created].sort((a, b) => b.split(sep).length - a.split(sep).length)) {
      try {
        rmdirSync(d);
      } catch {
        // not empty or already gone: leave it
      }
    }
    throw err;
  }
}
