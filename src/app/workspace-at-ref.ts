// A workspace as it was at a git ref, read without touching the working tree.
// The bytes come from `git`, and from there on they take the working tree's
// path: the same size and UTF-8 checks, the same parser, schemas and rules. So a
// base is validated like any other workspace, and each of its problems names the
// ref it was read at (`main:prompts/x.yaml:3:5`).
import type { Problem } from '../errors.js';
import { buildWorkspace, loadDocument, type Parse } from '../core/workspace/build.js';
import { decodeWorkspaceFile, MAX_FILE_BYTES, tooLarge } from '../core/workspace/decode.js';
import { schemas, type Lockfile } from '../core/workspace/schemas.js';
import type { RawFile, Workspace } from '../core/workspace/workspace.js';
import { createGit, type Git, type GitFile } from './git.js';
import { cachingJsonSchemaCheck } from './output-schema.js';
import { cachingParse } from './parse-cache.js';

const FOLDERS = ['prompts', 'evals', 'automations'];

export interface WorkspaceAtRef {
  /** Root is the working tree's root: fixtures and the cache are shared with it. */
  ws: Workspace;
  /** The ref as it was asked for, as problems name it. */
  ref: string;
  commit: string;
  /** Whether the ref has an aigov.yaml at all: false where the workspace did not exist yet. */
  exists: boolean;
}

export interface AtRefOptions {
  git?: Git;
  /** Defaults to the workspace's parse cache. */
  parse?: Parse;
  /** How problems name the ref, when not as it was asked for (a short commit id). */
  label?: string;
}

/** Every workspace file at `ref`, built and checked; problems are in `ws.problems`, named with the ref. */
export async function readWorkspaceAt(root: string, ref: string, opts: AtRefOptions = {}): Promise<WorkspaceAtRef> {
  const git = opts.git ?? createGit(root);
  const commit = await git.revParse(ref);
  const listed = await git.listFiles(commit, ['aigov.yaml', 'aigov.lock', ...FOLDERS]);
  const chosen = workspaceFiles(listed);
  const readable = chosen.filter((f) => !f.symlink && f.size <= MAX_FILE_BYTES);
  const bytes = await git.showMany(commit, readable.map((f) => f.path));
  const byPath = new Map(readable.map((f, i) => [f.path, bytes[i]]));
  const raw: RawFile[] = chosen.map((f) => {
    if (f.symlink) return { path: f.path, problem: { severity: 'error', code: 'E_FILE_UNREADABLE', file: f.path, message: 'is a symbolic link in git; aigov reads workspace files at a ref only as regular files', hint: 'commit the file itself in place of the link' } };
    if (f.size > MAX_FILE_BYTES) return tooLarge(f.path, f.size);
    const b = byPath.get(f.path);
    return b ? decodeWorkspaceFile(f.path, b) : { path: f.path, problem: { severity: 'error', code: 'E_FILE_UNREADABLE', file: f.path, message: `could not be read at ${ref}` } };
  });
  const exists = chosen.some((f) => f.path === 'aigov.yaml');
  if (!exists) {
    raw.unshift({ path: 'aigov.yaml', problem: { severity: 'error', file: 'aigov.yaml', message: 'no aigov.yaml at this ref: the workspace did not exist there' } });
  }
  const ws = buildWorkspace(root, raw, opts.parse ?? cachingParse(root), { checkJsonSchema: cachingJsonSchemaCheck(root) });
  ws.problems = namedAt(opts.label ?? ref, ws.problems);
  return { ws, ref, commit, exists };
}

/**
 * aigov.lock alone at `ref`, through the same parser and schema as the working
 * tree's lock. `present: false` when the ref has no lock; `lock` is absent when
 * it is there but unreadable (problems say why, named with the ref).
 */
export async function readLockAt(root: string, ref: string, opts: AtRefOptions = {}): Promise<{ present: boolean; lock?: Lockfile; problems: Problem[] }> {
  const git = opts.git ?? createGit(root);
  const bytes = await git.show(ref, 'aigov.lock');
  if (!bytes) return { present: false, problems: [] };
  const raw = decodeWorkspaceFile('aigov.lock', bytes);
  if (raw.problem) return { present: true, problems: namedAt(ref, [raw.problem]) };
  const { loaded, problems } = loadDocument('aigov.lock', raw.text!, schemas().lockSchema, opts.parse ?? cachingParse(root));
  return { present: true, lock: loaded?.value, problems: namedAt(ref, problems) };
}

/** The files the working tree's reader would pick: the config, the lock, and the YAML files directly in each folder. */
function workspaceFiles(listed: readonly GitFile[]): GitFile[] {
  const byPath = new Map(listed.map((f) => [f.path, f]));
  const out: GitFile[] = [];
  for (const top of ['aigov.yaml', 'aigov.lock']) if (byPath.has(top)) out.push(byPath.get(top)!);
  for (const folder of FOLDERS) {
    const names = listed
      .filter((f) => f.path.startsWith(`${folder}/`))
      .map((f) => f.path.slice(folder.length + 1))
      .filter((name) => !name.includes('/') && /\.ya?ml$/.test(name) && !name.startsWith('.'))
      .sort();
    for (const name of names) out.push(byPath.get(`${folder}/${name}`)!);
  }
  return out;
}

/** Problems as people read them for a file at a ref: `main:prompts/x.yaml`. */
export function namedAt(ref: string, problems: readonly Problem[]): Problem[] {
  return problems.map((p) => ({ ...p, file: `${ref}:${p.file}` }));
}
