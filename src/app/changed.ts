// `aigov eval --changed-since REF`: only the suites whose suite file, prompt file
// or model pin changed since a git ref, so a pull request runs what it touched.
import { AigovError, type Problem } from '../errors.js';
import type { Workspace } from '../core/workspace/workspace.js';
import { createGit, type Git } from './git.js';
import { readLockAt } from './workspace-at-ref.js';

export interface ChangedOptions {
  git?: Git;
  /** Hears of each problem with the lock at the ref (it is then taken as pinning nothing). */
  onProblem?: (p: Problem) => void;
  /** The flag that asked, as git's complaints are prefixed with (default `--changed-since`). */
  flag?: string;
}

export async function changedSuites(ws: Workspace, ref: string, opts: ChangedOptions = {}): Promise<string[]> {
  const git = opts.git ?? createGit(ws.root);
  const [changed, old] = await Promise.all([git.changedPaths(ref), readLockAt(ws.root, ref, { git })]).catch((err: unknown) => {
    throw withFlag(err, ref, opts.flag ?? '--changed-since');
  });
  // A lock the ref does not have, or cannot be read there, pins nothing: every
  // model counts as repinned, so a broken lock on the base runs more, never less.
  for (const p of old.problems) opts.onProblem?.({ ...p, severity: 'warning', message: `${p.message} (the lock at ${ref} is taken as pinning nothing)` });
  const before = old.lock?.models ?? {};
  const now = ws.lock?.value.models ?? {};
  const touched = new Set(changed);
  const repinned = (model: string): boolean => before[model]?.resolved !== now[model]?.resolved;
  const fileOf = (kind: 'evals' | 'prompts', id: string): string => ws[kind === 'evals' ? 'suites' : 'prompts'].get(id)?.source.file ?? `${kind}/${id}.yaml`;
  return [...ws.suites.values()]
    .filter(({ value: s }) => {
      const prompt = ws.prompts.get(s.prompt)?.value;
      const judges = s.cases.flatMap((c) => (c.assert ?? []).filter((a) => a.type === 'judge' && typeof a.model === 'string').map((a) => a.model as string));
      return touched.has(fileOf('evals', s.suite)) || touched.has(fileOf('prompts', s.prompt)) || (!!prompt && repinned(prompt.model)) || judges.some(repinned);
    })
    .map(({ value: s }) => s.suite)
    .sort();
}

/** The flag in front of git's complaint, so the message says which part of the command it is about. */
export function withFlag(err: unknown, ref: string, flag: string): unknown {
  if (!(err instanceof AigovError)) return err;
  const prefix = err.code === 'E_NOT_GIT_REPO' ? `${flag} ${ref}` : flag;
  const hint = err.code === 'E_NOT_GIT_REPO' ? `${err.hint ?? ''}, or run without ${flag}`.replace(/^, /, '') : err.hint;
  return new AigovError(err.code, `${prefix}: ${err.message}`, { exitCode: err.exitCode, hint, location: err.location, cause: err });
}
