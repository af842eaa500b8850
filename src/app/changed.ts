// `aigov eval --changed-since REF`: only the suites whose suite file, prompt file
// or model pin changed since a git ref, so a pull request runs what it touched.
import { execFile } from 'node:child_process';
import { parse } from 'yaml';
import { UsageError } from '../errors.js';
import type { Lockfile } from '../core/workspace/schemas.js';
import type { Workspace } from '../core/workspace/workspace.js';

interface GitResult {
  ok: boolean;
  out: string;
  /** git itself could not be started. */
  missing?: boolean;
}

function git(root: string, args: string[]): Promise<GitResult> {
  return new Promise((resolve) =>
    execFile('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, out) => resolve({ ok: !err, out, missing: (err as NodeJS.ErrnoException | null)?.code === 'ENOENT' })),
  );
}

export async function changedSuites(ws: Workspace, ref: string): Promise<string[]> {
  // Outside a repository every ref is "unknown"; say what is really wrong.
  const inside = await git(ws.root, ['rev-parse', '--is-inside-work-tree']);
  if (inside.missing) throw new UsageError(`--changed-since ${ref}: git is not installed (or not on PATH)`, { code: 'E_NOT_GIT_REPO', hint: 'install git, or run without --changed-since' });
  if (!inside.ok || inside.out.trim() !== 'true') {
    throw new UsageError(`--changed-since ${ref}: the workspace ${ws.root} is not inside a git repository`, { code: 'E_NOT_GIT_REPO', hint: 'run `git init` and commit, or run without --changed-since' });
  }
  const exists = await git(ws.root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!exists.ok) throw new UsageError(`--changed-since ${ref}: not a commit in this repository`, { code: 'E_UNKNOWN_REF', hint: 'fetch it first, e.g. git fetch origin main' });
  // Paths relative to the workspace root: it may sit in a folder of a larger repository.
  const [diff, untracked, oldLock] = await Promise.all([
    git(ws.root, ['diff', '--name-only', '--relative', ref, '--']),
    git(ws.root, ['ls-files', '--others', '--exclude-standard']),
    git(ws.root, ['show', `${ref}:./aigov.lock`]),
  ]);
  const changed = new Set([...diff.out.split('\n'), ...untracked.out.split('\n')].filter(Boolean));
  const before = oldLock.ok ? ((parse(oldLock.out) as Lockfile | null)?.models ?? {}) : {};
  const now = ws.lock?.value.models ?? {};
  const repinned = (model: string): boolean => before[model]?.resolved !== now[model]?.resolved;
  const fileOf = (kind: 'evals' | 'prompts', id: string): string => ws[kind === 'evals' ? 'suites' : 'prompts'].get(id)?.source.file ?? `${kind}/${id}.yaml`;
  return [...ws.suites.values()]
    .filter(({ value: s }) => {
      const prompt = ws.prompts.get(s.prompt)?.value;
      const judges = s.cases.flatMap((c) => (c.assert ?? []).filter((a) => a.type === 'judge' && typeof a.model === 'string').map((a) => a.model as string));
      return changed.has(fileOf('evals', s.suite)) || changed.has(fileOf('prompts', s.prompt)) || (!!prompt && repinned(prompt.model)) || judges.some(repinned);
    })
    .map(({ value: s }) => s.suite)
    .sort();
}
