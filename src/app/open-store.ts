// Opens the workspace's run log for one command and always closes it.
import type { ExitCode } from '../errors.js';
import type { Store } from '../store/types.js';
import type { Workspace } from '../core/workspace/workspace.js';
import type { Context } from './context.js';
import { openWorkspace } from './workspace.js';

export async function withStore<T extends ExitCode>(ctx: Context, root: string | undefined, fn: (store: Store, ws: Workspace) => Promise<T>): Promise<T> {
  const ws = openWorkspace({ root, cwd: ctx.cwd, env: ctx.env });
  const store = await ctx.openStore(ws.config?.value.store, ws.root);
  try {
    return await fn(store, ws);
  } finally {
    await store.close();
  }
}
