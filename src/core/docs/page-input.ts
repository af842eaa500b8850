// What one governance page shows, gathered from the workspace and the lock alone:
// no clock, no run log, so the pages are the same on every machine. Pure.
import { promptHash } from '../lock/prompt-hash.js';
import type { Automation } from '../workspace/schemas.js';
import type { Workspace } from '../workspace/workspace.js';

/**
 * The parts of aigov.lock a page reads, each optional: the lock format grows
 * (`served`, the `automations` ledger), and a page must render a lock of any
 * version that `aigov pin` has written.
 */
export interface LockView {
  models?: Readonly<Record<string, { requested?: string; resolved?: string; served?: string } | undefined>>;
  prompts?: Readonly<Record<string, { version?: number; sha256?: string } | undefined>>;
  automations?: Readonly<Record<string, { tier?: number; since?: string; by?: string; event?: string } | undefined>>;
}

export interface SuiteFacts {
  suite: string;
  /** Absent when the file names a suite the workspace does not have. */
  cases?: number;
  repeat?: number;
  passRate?: number;
}

export interface PageInput {
  /** The automation file, relative to the workspace root. */
  file: string;
  automation: Automation;
  prompt?: { version: number; sha256: string; description?: string; model: string };
  /** Whether aigov.lock exists at all. */
  locked: boolean;
  lockedPrompt?: { version?: number; sha256?: string };
  model?: { name: string; requested?: string; resolved?: string; served?: string };
  /** The tier decision recorded in aigov.lock's `automations` ledger. */
  ledger?: { tier?: number; since?: string; by?: string; event?: string };
  suites: SuiteFacts[];
}

/** Code-point order, never the locale's: the index reads the same on every machine. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function pageInputs(ws: Workspace): PageInput[] {
  const lock = ws.lock?.value as LockView | undefined;
  const models = ws.config?.value.models ?? {};
  return [...ws.automations.values()]
    .sort((x, y) => byCodePoint(x.value.id, y.value.id))
    .map(({ value: a, source }) => {
      const p = ws.prompts.get(a.prompt)?.value;
      const locked = lock?.models?.[p?.model ?? ''];
      return {
        file: source.file,
        automation: a,
        prompt: p && { version: p.version, sha256: promptHash(p), description: p.description, model: p.model },
        locked: !!lock,
        lockedPrompt: lock?.prompts?.[a.prompt],
        model: p && { name: p.model, requested: models[p.model], resolved: locked?.resolved, served: locked?.served },
        ledger: lock?.automations?.[a.id],
        suites: a.evals.map((suite) => {
          const s = ws.suites.get(suite)?.value;
          return s ? { suite, cases: s.cases.length, repeat: s.repeat, passRate: s.passRate } : { suite };
        }),
      };
    });
}
