// Opens the workspace's run log for one command and always closes it.
//
// Where aigov.yaml has errors the log is not opened: `store:` may name another
// log than the default, and reading the default instead would answer from the
// wrong one. Commands that speak of every automation (the dashboard, the
// report, calibrate) ask for the whole workspace to be valid: an automation
// file with an error would otherwise be missing from them without a word.
import { InvalidWorkspaceError, type ExitCode } from '../errors.js';
import type { Store } from '../store/types.js';
import { isMissingConfig } from '../core/workspace/build.js';
import type { Workspace } from '../core/workspace/workspace.js';
import type { Context } from './context.js';
import { openWorkspace } from './workspace.js';

export interface WithStoreOptions {
  /** Refuse a workspace with any error, not only one in aigov.yaml. */
  wholeWorkspace?: boolean;
}

export async function withStore<T extends ExitCode>(ctx: Context, root: string | undefined, fn: (store: Store, ws: Workspace) => Promise<T>, opts: WithStoreOptions = {}): Promise<T> {
  const ws = openWorkspace({ root, cwd: ctx.cwd, env: ctx.env });
  const errors = ws.problems.filter((p) => p.severity === 'error');
  // No aigov.yaml at all is no reason to doubt the default log (the read-only commands work on a bare log).
  const refused = opts.wholeWorkspace ? errors : errors.filter((p) => p.file === 'aigov.yaml' && !isMissingConfig(p));
  if (refused.length > 0) throw new InvalidWorkspaceError(errors);
  const store = await ctx.openStore(ws.config?.value.store, ws.root);
  try {
    return await fn(store, ws);
  } finally {
    await store.close();
  }
}

/** `withStore` for the commands that speak of every automation: the whole workspace must be valid. */
export function withValidStore<T extends ExitCode>(ctx: Context, root: string | undefined, fn: (store: Store, ws: Workspace) => Promise<T>): Promise<T> {
  return withStore(ctx, root, fn, { wholeWorkspace: true });
}
