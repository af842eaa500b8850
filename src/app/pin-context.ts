// What pinning needs from the outside world: a live gateway without cache, a clock, an identity.
import { providerSettings, runDefaults } from '../core/providers-config.js';
import { InvalidWorkspaceError } from '../errors.js';
import type { Workspace } from '../core/workspace/workspace.js';
import type { Context } from './context.js';
import type { ModelGateway } from '../providers/gateway.js';
import { workspaceEnv } from './read-workspace.js';

export async function pinContext(ctx: Context, ws: Workspace, as?: string, onWarning?: (message: string) => void): Promise<{ by: string; now: () => Date; gateway: ModelGateway; context: Context }> {
  // pin tolerates a broken lock (it rewrites it), but not an aigov.yaml it cannot read: its errors, exit 2.
  if (!ws.config) throw new InvalidWorkspaceError(ws.problems);
  const config = ws.config.value;
  const d = runDefaults(config);
  const gateway = await ctx.gateway({
    root: ws.root,
    providers: providerSettings(config, ws.root),
    env: workspaceEnv(ws.root, ctx.env),
    mode: 'live',
    cache: false,
    retries: d.retries,
    timeoutMs: d.timeoutMs,
    connections: d.concurrency,
    onWarning,
  });
  return { by: await ctx.identity.name(ws.root, as), now: ctx.clock, gateway, context: ctx };
}
