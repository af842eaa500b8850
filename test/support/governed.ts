// A workspace governed by the library, pinned as `aigov pin` would pin it, with
// its run log on one of the two backends: a real SQLite file or a random
// schema on the test PostgreSQL server. The CLI and child processes started in
// the workspace read and write that same log (aigov.yaml names it).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { openGovernor, type Governor, type GovernorOptions } from '../../src/app/governor.js';
import { readWorkspace } from '../../src/app/read-workspace.js';
import { serializeLock } from '../../src/core/lock/lockfile.js';
import { promptHash } from '../../src/core/lock/prompt-hash.js';
import type { Store } from '../../src/store/types.js';
import type { Backend, Opened } from './stores.js';

export const MODEL = 'gpt-4o-mini-2024-07-18';
export const KEY = 'sk-test-secret-0123456789';

export interface Governed {
  root: string;
  /** The store URL aigov.yaml names (absolute for SQLite, so child processes anywhere find it). */
  storeUrl: string;
  /** The run log as a reviewer or the CLI opens it: its own handle, with append. */
  store: Store;
  opened: Opened;
  write(path: string, content: string): void;
  governor(opts?: Partial<GovernorOptions>): Promise<Governor>;
  cleanup(): Promise<void>;
}

export function storeUrlOf(opened: Opened): string {
  if (!opened.url.startsWith('sqlite:')) return opened.url;
  const path = opened.url.slice('sqlite:'.length);
  return `sqlite:${isAbsolute(path) ? path : join(opened.root, path)}`;
}

/**
 * Writes `files` (aigov.yaml gets the backend's `store:` line appended), pins
 * every prompt and the `fast` model, and opens governors on demand.
 */
export async function governedWorkspace(backend: Backend, files: Record<string, string>): Promise<Governed> {
  const opened = await backend.open();
  const root = mkdtempSync(join(tmpdir(), 'aigov-governed-'));
  const storeUrl = storeUrlOf(opened);
  const write = (path: string, content: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  for (const [path, content] of Object.entries(files)) write(path, path === 'aigov.yaml' ? `${content}store: ${JSON.stringify(storeUrl)}\n` : content);
  pin(root, write);
  const governors: Governor[] = [];
  return {
    root,
    storeUrl,
    store: opened.store,
    opened,
    write,
    async governor(opts = {}) {
      const gov = await openGovernor({ root, env: { TEST_OPENAI_KEY: KEY }, onWarning: () => undefined, ...opts });
      governors.push(gov);
      return gov;
    },
    async cleanup() {
      for (const g of governors) await g.close();
      await opened.store.close();
      await opened.cleanup();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** `aigov pin` as it would write it: the `fast` model and every prompt at its current content. */
export function pin(root: string, write: (path: string, content: string) => void): void {
  const ws = readWorkspace(root);
  const prompts = Object.fromEntries([...ws.prompts].map(([id, p]) => [id, { version: p.value.version, sha256: promptHash(p.value) }]));
  const models = { fast: { requested: 'openai:gpt-4o-mini', resolved: `openai:${MODEL}`, pinnedAt: '2026-11-01T00:00:00Z', pinnedBy: 'ops@example.com' } };
  write('aigov.lock', serializeLock({ lockfileVersion: 1, models, prompts }));
}
