// Opens the workspace's run log for one command and always closes it.
import type { ExitCode } from '../errors.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import type { Workspace } from '../core/workspace/workspace.js';
import { openWorkspace } from './workspace.js';

export async function withStore<T extends ExitCode>(root: string | undefined, fn: (store: Store, ws: Workspace) => Promise<T>): Promise<T> {
  const ws = openWorkspace({ root });
  const store = await openStore(ws.config?.value.store, ws.root);
  try {
    return await fn(store, ws);
  } finally {
    await store.close();
  }
}
