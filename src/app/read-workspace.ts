// The edge where workspace files are read from disk: root discovery, size and
// encoding checks. Everything after the bytes is pure (core/workspace/build).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError, type Problem } from '../errors.js';
import { parseDotenv } from '../core/dotenv.js';
import { buildWorkspace } from '../core/workspace/build.js';
import { cachingParse } from './parse-cache.js';
import type { RawFile, Workspace } from '../core/workspace/workspace.js';

export const MAX_FILE_BYTES = 5 * 1024 * 1024;
const FOLDERS = ['prompts', 'evals', 'automations'];

/** The nearest folder at or above `cwd` holding aigov.yaml; `--root` / AIGOV_ROOT win. */
export function findRoot(opts: { root?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const explicit = opts.root ?? opts.env?.AIGOV_ROOT;
  if (explicit) {
    const root = resolve(opts.cwd ?? process.cwd(), explicit);
    if (!existsSync(join(root, 'aigov.yaml'))) throw new UsageError(`no aigov.yaml in ${root}`, { code: 'E_NO_WORKSPACE', hint: 'run `aigov init` there, or point --root at a workspace' });
    return root;
  }
  let dir = resolve(opts.cwd ?? process.cwd());
  for (;;) {
    if (existsSync(join(dir, 'aigov.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new UsageError('no aigov.yaml here or in any parent folder', { code: 'E_NO_WORKSPACE', hint: 'run `aigov init`, or pass --root DIR' });
    dir = up;
  }
}

/** Reads one workspace file as UTF-8 text, or returns the problem that prevents it. */
export function readWorkspaceFile(root: string, path: string): RawFile {
  const full = join(root, path);
  const size = statSync(full).size;
  if (size > MAX_FILE_BYTES) return { path, problem: { severity: 'error', file: path, message: `file is ${(size / 1048576).toFixed(1)} MB; the limit is 5 MB` } };
  const bytes = readFileSync(full);
  try {
    return { path, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { path, problem: { severity: 'error', file: path, ...firstBadByte(bytes), message: 'not UTF-8 text', hint: 'save the file as UTF-8' } };
  }
}

function firstBadByte(bytes: Buffer): { line: number; col: number } {
  // The lenient decoding marks the first invalid sequence with U+FFFD.
  const text = bytes.toString('utf8');
  const lines = text.slice(0, Math.max(0, text.indexOf('\uFFFD'))).split('\n');
  return { line: lines.length, col: lines[lines.length - 1].length + 1 };
}

export function listWorkspaceFiles(root: string): string[] {
  const files = ['aigov.yaml'];
  if (existsSync(join(root, 'aigov.lock'))) files.push('aigov.lock');
  for (const folder of FOLDERS) {
    const dir = join(root, folder);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) if (/\.ya?ml$/.test(name) && !name.startsWith('.')) files.push(`${folder}/${name}`);
  }
  return files;
}

export function readWorkspace(root: string): Workspace {
  return buildWorkspace(root, listWorkspaceFiles(root).map((f) => readWorkspaceFile(root, f)), cachingParse(root));
}

/**
 * process.env over the workspace's .env: secrets come only from the environment.
 * `onProblem` hears of each line of .env that was not read (file:line, never the value).
 */
export function workspaceEnv(root: string, env: NodeJS.ProcessEnv = process.env, onProblem?: (p: Problem) => void): Record<string, string | undefined> {
  const file = join(root, '.env');
  if (!existsSync(file)) return { ...env };
  const dotenv = parseDotenv(readFileSync(file, 'utf8'), '.env');
  if (onProblem) dotenv.problems.forEach(onProblem);
  return { ...dotenv.values, ...env };
}

