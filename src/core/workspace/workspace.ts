// The parsed workspace: every file as a value plus the source it came from.
import type { Problem } from '../../errors.js';
import type { Automation, Config, Lockfile, Prompt, Suite } from './schemas.js';
import type { SourceFile } from './source.js';

export interface Loaded<T> {
  value: T;
  source: SourceFile;
}

export interface Workspace {
  root: string;
  config?: Loaded<Config>;
  prompts: Map<string, Loaded<Prompt>>;
  suites: Map<string, Loaded<Suite>>;
  automations: Map<string, Loaded<Automation>>;
  lock?: Loaded<Lockfile>;
  /** Every error and warning, in file order. */
  problems: Problem[];
}

/** A file as the reader found it: its text, or the problem that kept it from being read. */
export interface RawFile {
  /** Relative to the workspace root, with forward slashes. */
  path: string;
  text?: string;
  problem?: Problem;
}

export function hasErrors(ws: Pick<Workspace, 'problems'>): boolean {
  return ws.problems.some((p) => p.severity === 'error');
}

export function promptValues(ws: Workspace): Map<string, Prompt> {
  return new Map([...ws.prompts].map(([id, p]) => [id, p.value]));
}

const FOLDER_MAPS = { prompts: 'prompts', evals: 'suites', automations: 'automations' } as const;

/**
 * Whether `folder/id.yaml` exists but did not load (invalid YAML, a schema error,
 * an id that differs from its name, unreadable, in a folder that cannot be
 * listed): its own error says so, and a
 * reference to it must not add "unknown …" or "its file is gone" for the same cause.
 */
export function failedToLoad(ws: Pick<Workspace, 'problems' | 'prompts' | 'suites' | 'automations'>, folder: keyof typeof FOLDER_MAPS, id: string): boolean {
  if (ws[FOLDER_MAPS[folder]].has(id)) return false;
  // The folder itself may be what could not be read.
  return ws.problems.some((p) => p.severity === 'error' && (p.file === folder || p.file === `${folder}/${id}.yaml` || p.file === `${folder}/${id}.yml`));
}
