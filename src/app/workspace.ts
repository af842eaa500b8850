// Opening a workspace for a command or the library: find the root, read, validate.
import type { Problem } from '../errors.js';
import { automationTiers, describeDrift, lockDrift } from '../core/lock/drift.js';
import { promptValues, type Workspace } from '../core/workspace/workspace.js';
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
  return lockDrift(ws.config.value, promptValues(ws), ws.lock?.value, automationTiers(ws.automations)).map((d) => ({ severity: 'warning' as const, ...describeDrift(d) }));
}
