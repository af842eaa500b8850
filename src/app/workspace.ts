// Opening a workspace for a command or the library: find the root, read, validate.
import type { Problem } from '../errors.js';
import { automationTiers, describeDrift, lockDrift, type Drift } from '../core/lock/drift.js';
import { failedToLoad, promptValues, type Workspace } from '../core/workspace/workspace.js';
import { findRoot, readWorkspace } from './read-workspace.js';

export interface OpenOptions {
  root?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export function openWorkspace(opts: OpenOptions = {}): Workspace {
  return readWorkspace(findRoot({ root: opts.root, cwd: opts.cwd, env: opts.env ?? process.env }));
}

/** Lock drift as warnings, for `aigov validate` (which lists drift without failing on it). */
export function driftWarnings(ws: Workspace): Problem[] {
  if (!ws.config) return [];
  // A lock that failed to load has its own error: "no lock file" beside it would be a second one.
  if (!ws.lock && ws.problems.some((p) => p.file === 'aigov.lock' && p.severity === 'error')) return [];
  return lockDrift(ws.config.value, promptValues(ws), ws.lock?.value, automationTiers(ws.automations))
    .filter((d) => !sameCause(ws, d))
    .map((d) => ({ severity: 'warning' as const, ...describeDrift(d) }));
}

/** A prompt whose file failed to load is not gone from the workspace: its own error is the one to show. */
function sameCause(ws: Workspace, d: Drift): boolean {
  return d.kind === 'prompt_removed' && failedToLoad(ws, 'prompts', d.prompt);
}
