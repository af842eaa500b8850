// The one way aigov reads git: a small interface over the `git` binary, so
// commands and use cases take a `Git` and tests can hand them a repository of
// their own. Every path in and out is relative to the workspace root, which may
// be a folder inside a larger repository. Nothing here writes to the repository.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AigovError, UsageError } from '../errors.js';

export interface GitCommit {
  commit: string;
  author: string;
  email: string;
  /** Author date, strict ISO 8601 with the author's offset. */
  date: string;
  subject: string;
}

export interface GitStatusEntry {
  /** Porcelain v1 status letters, e.g. " M", "??", "A ". */
  code: string;
  path: string;
}

export interface GitFile {
  path: string;
  size: number;
  /** A symbolic link is stored as a blob holding its target, not the file it points at. */
  symlink: boolean;
}

export interface Git {
  /** The full id of the commit a ref names; E_UNKNOWN_REF when there is none. */
  revParse(ref: string): Promise<string>;
  /** HEAD's commit, or null in a repository with no commit yet. */
  head(): Promise<string | null>;
  /** Files (blobs) at a ref under the given paths, recursively, in git's order. */
  listFiles(ref: string, paths: readonly string[]): Promise<GitFile[]>;
  /** The bytes of a file at a ref; null when the ref has no file there. */
  show(ref: string, path: string): Promise<Buffer | null>;
  /** `show` for many paths in one git process. */
  showMany(ref: string, paths: readonly string[]): Promise<(Buffer | null)[]>;
  /** `show` for many (commit, path) pairs in one git process; `commit` is a full id from `revParse` or `log`. */
  showCommits(items: readonly { commit: string; path: string }[]): Promise<(Buffer | null)[]>;
  /** Paths that differ between a ref and the working tree, untracked files included. */
  changedPaths(ref: string): Promise<string[]>;
  /** Commits that touched any of the paths, newest first; none before the first commit. */
  log(paths: readonly string[]): Promise<GitCommit[]>;
  /** Uncommitted changes under the paths (default: the whole workspace folder). */
  status(paths?: readonly string[]): Promise<GitStatusEntry[]>;
  /** Whether this is a shallow clone, whose history stops early. */
  shallow(): Promise<boolean>;
  /** git's user.email as configured for the root (in or outside a repository); null when none is set or git is missing. */
  userEmail(): Promise<string | null>;
  /**
   * HEAD's commit (null with no commit yet) and whether anything under the paths
   * differs from it, untracked files included, asked of one git process; null
   * outside a repository, or where git cannot say.
   */
  state(paths: readonly string[]): Promise<{ commit: string | null; changed: boolean } | null>;
}

interface Run {
  ok: boolean;
  stdout: Buffer;
  stderr: string;
  /** git itself could not be started. */
  missing: boolean;
}

const MAX_OUTPUT = 256 << 20;

function run(root: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile('git', args, { cwd: root, encoding: 'buffer', maxBuffer: MAX_OUTPUT, env }, (err, stdout, stderr) =>
      resolve({ ok: !err, stdout, stderr: stderr.toString('utf8'), missing: (err as NodeJS.ErrnoException | null)?.code === 'ENOENT' }),
    );
    // A git that exits before reading its input would make the write fail; the exit status says why.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input ?? '');
  });
}

export function createGit(root: string, opts: { env?: NodeJS.ProcessEnv } = {}): Git {
  // Messages in English, for the few that are recognised below; optional locks
  // off, so a status never takes the index lock from a concurrent git.
  const env = { ...(opts.env ?? process.env), LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' };
  let checked: Promise<string> | undefined;
  /** The workspace folder's path inside the repository ("" at its top), once it is known to be one. */
  const prefix = (): Promise<string> => (checked ??= checkRepository(root, env));
  const git = async (args: readonly string[], input?: string): Promise<Run> => {
    await prefix();
    return run(root, args, env, input);
  };
  const must = async (args: readonly string[], input?: string): Promise<Buffer> => {
    const r = await git(args, input);
    if (!r.ok) throw gitFailed(args, r.stderr);
    return r.stdout;
  };

  const revParse = async (ref: string): Promise<string> => {
    // A ref that starts with "-" would be read as an option.
    const r = ref && !ref.startsWith('-') && !/[\0\n]/.test(ref) ? await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]) : undefined;
    if (!r?.ok) throw new UsageError(`"${ref}" is not a commit in this repository`, { code: 'E_UNKNOWN_REF', hint: 'check the name, or fetch it first, e.g. git fetch origin main' });
    return r.stdout.toString('utf8').trim();
  };

  const showCommits = async (items: readonly { commit: string; path: string }[]): Promise<(Buffer | null)[]> => {
    if (!items.length) return [];
    // One object name a line; a path holding a newline cannot be asked for (and no workspace file has one).
    const asked = items.map(({ commit, path }) => (/^[0-9a-f]{40,64}$/.test(commit) && !/[\n\0]/.test(path) ? `${commit}:./${path}` : null));
    const names = asked.filter((a) => a !== null);
    if (!names.length) return asked.map(() => null);
    const answers = parseBatch(await must(['cat-file', '--batch'], `${names.join('\n')}\n`));
    let next = 0;
    return asked.map((a) => (a === null ? null : (answers[next++] ?? null)));
  };

  const showMany = async (ref: string, paths: readonly string[]): Promise<(Buffer | null)[]> => {
    const commit = await revParse(ref);
    return showCommits(paths.map((path) => ({ commit, path })));
  };

  const head = async (): Promise<string | null> => {
    const r = await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    return r.ok ? r.stdout.toString('utf8').trim() : null;
  };

  return {
    revParse,
    head,
    async listFiles(ref, paths) {
      const commit = await revParse(ref);
      if (!paths.length) return [];
      const out = await must(['ls-tree', '-r', '-l', '-z', commit, '--', ...paths]);
      const files: GitFile[] = [];
      for (const entry of nulSplit(out)) {
        // "<mode> <type> <object> <size>\t<path>", the path relative to the workspace folder.
        const tab = entry.indexOf('\t');
        const [mode, type, , size] = entry.slice(0, tab).split(/ +/);
        if (type === 'blob') files.push({ path: entry.slice(tab + 1), size: Number(size), symlink: mode === '120000' });
      }
      return files;
    },
    async show(ref, path) {
      return (await showMany(ref, [path]))[0];
    },
    showMany,
    showCommits,
    async changedPaths(ref) {
      const commit = await revParse(ref);
      // --no-renames: a renamed file is both a removed and an added path, and both count.
      const [diff, untracked] = await Promise.all([
        must(['diff', '--name-only', '-z', '--relative', '--no-renames', commit, '--']),
        must(['ls-files', '-z', '--others', '--exclude-standard']),
      ]);
      return [...new Set([...nulSplit(diff), ...nulSplit(untracked)])];
    },
    async log(paths) {
      if (!(await head())) return [];
      const out = await must(['log', '--format=%x1e%H%x00%an%x00%ae%x00%aI%x00%s', '--', ...paths]);
      return out
        .toString('utf8')
        .split('\x1e')
        .filter((c) => c.trim())
        .map((c) => {
          const [commit, author, email, date, subject] = c.replace(/\n+$/, '').split('\0');
          return { commit, author, email, date, subject };
        });
    },
    async status(paths = ['.']) {
      const at = await prefix();
      const out = await must(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths]);
      const entries = nulSplit(out);
      const result: GitStatusEntry[] = [];
      for (let i = 0; i < entries.length; i++) {
        const code = entries[i].slice(0, 2);
        // Porcelain paths are relative to the repository's top, whatever the folder.
        const path = entries[i].slice(3);
        result.push({ code, path: path.startsWith(at) ? path.slice(at.length) : path });
        // A rename or copy is followed by the path it came from.
        if (code[0] === 'R' || code[0] === 'C') i++;
      }
      return result;
    },
    async shallow() {
      const r = await git(['rev-parse', '--is-shallow-repository']);
      return r.ok && r.stdout.toString('utf8').trim() === 'true';
    },
    async userEmail() {
      // Not `git`: it asks for no repository, since a global user.email names the person anywhere.
      const r = await run(root, ['config', 'user.email'], env);
      return (r.ok && r.stdout.toString('utf8').trim()) || null;
    },
    async state(paths) {
      // Not through prefix(): a status outside a repository fails, and that is all there is to know.
      if (!mayBeRepository(root, env)) return null;
      const r = await run(root, ['status', '--porcelain=v2', '--branch', '--no-ahead-behind', '-z', '--untracked-files=all', '--', ...paths], env);
      if (!r.ok) return null;
      let commit: string | null = null;
      let changed = false;
      for (const entry of nulSplit(r.stdout)) {
        // "# branch.oid <commit>", or "(initial)" before the first commit; other "#" lines are headers too.
        if (entry.startsWith('# branch.oid ')) commit = /^[0-9a-f]{40,64}$/.test(entry.slice(13)) ? entry.slice(13) : null;
        else if (!entry.startsWith('#')) changed = true;
      }
      return { commit, changed };
    },
  };
}

/**
 * False only where git cannot find a repository: no GIT_DIR, and no `.git` in the
 * folder or any folder above it. Saves starting git just to hear it say so.
 */
function mayBeRepository(root: string, env: NodeJS.ProcessEnv): boolean {
  if (env.GIT_DIR) return true;
  for (let dir = resolve(root); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return true;
    if (dirname(dir) === dir) return false;
  }
}

async function checkRepository(root: string, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await run(root, ['rev-parse', '--is-inside-work-tree', '--show-prefix'], env);
  if (r.missing) throw new UsageError('git is not installed (or not on PATH)', { code: 'E_NOT_GIT_REPO', hint: 'install git' });
  if (/dubious ownership/.test(r.stderr)) {
    throw new UsageError(`git refuses the repository at ${root}: it belongs to another user`, { code: 'E_NOT_GIT_REPO', hint: `if you trust it: git config --global --add safe.directory ${root}` });
  }
  const [inside, prefix = ''] = r.stdout.toString('utf8').split('\n');
  if (!r.ok || inside !== 'true') throw new UsageError(`the workspace ${root} is not inside a git repository`, { code: 'E_NOT_GIT_REPO', hint: 'run `git init` and commit' });
  return prefix;
}

function gitFailed(args: readonly string[], stderr: string): AigovError {
  const why = stderr.trim().split('\n')[0] || 'no message';
  return new AigovError('E_GIT_FAILED', `git ${args[0]} failed: ${why}`, { exitCode: 3, hint: 'run `git status` to see what is wrong with the repository' });
}

function nulSplit(out: Buffer): string[] {
  return out.toString('utf8').split('\0').filter(Boolean);
}

/** `git cat-file --batch` output: per object a header line, then its bytes and a newline; "missing" has no body. */
function parseBatch(out: Buffer): (Buffer | null)[] {
  const answers: (Buffer | null)[] = [];
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(0x0a, at);
    if (eol < 0) break;
    const header = out.subarray(at, eol).toString('utf8');
    at = eol + 1;
    const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!m) {
      answers.push(null); // "<name> missing" or "ambiguous"
      continue;
    }
    const size = Number(m[2]);
    answers.push(m[1] === 'blob' ? Buffer.from(out.subarray(at, at + size)) : null);
    at += size + 1;
  }
  return answers;
}

const WORKSPACE_PATHS = ['aigov.yaml', 'aigov.lock', 'prompts', 'evals', 'automations', 'fixtures'];

/**
 * The git facts an eval result carries as evidence: which commit, and whether
 * the workspace's own files differ from it. Outside git (or with no commit
 * yet) the commit is null; evidence never fails a run.
 */
export async function gitState(root: string, git: Git = createGit(root)): Promise<{ commit: string | null; dirty: boolean }> {
  // Only the workspace's files decide whether the result matches the commit; a
  // status of the whole tree can take seconds in a large repository. One git
  // process: each costs the caller's event loop a fork of the whole process.
  const s = await git.state(WORKSPACE_PATHS);
  return s ? { commit: s.commit, dirty: s.commit !== null && s.changed } : { commit: null, dirty: false };
}
