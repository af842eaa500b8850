import type { Context } from '../../app/context.js';
import { UsageError, type ExitCode } from '../../errors.js';
import type { Output } from '../output.js';
import type { DefineCommand } from './index.js';
import { positiveInt } from './parse-args.js';

const tier = (v: string): number => positiveInt(v, { max: 3 });

export const definePromote: DefineCommand = (program, wrap, ctx) =>
  program
    .command('promote <automation>')
    .description('move an automation one tier up if every promotion gate passes; prints each gate')
    .option('--to <tier>', 'the tier to move to: only the next one, unless --force', tier)
    .option('--dry-run', 'check the gates and write nothing (exit 0 when it would be promoted)')
    .option('--reason <text>', 'why (recorded with the event; required with --force)')
    .option('--as <who>', 'who decides (default: git user.email); recorded beside the OS login and git identity')
    .option('--force', 'adopt it at --to despite failing gates or a skipped tier, with --reason; recorded as forced, with the failing gates')
    .option('--history', 'write nothing: list every tier change of the automation in the run log, oldest first, each with the gates it was made on and whether aigov.lock names it')
    .action(
      wrap(async (o, g, automation: string, opts: { to?: number; dryRun?: boolean; reason?: string; as?: string; force?: boolean; history?: boolean }) => {
        if (opts.history) return history(o, ctx, g.root, automation, opts);
        const [{ openWorkspace }, { promote }, render] = await Promise.all([import('../../app/workspace.js'), import('../../app/promote.js'), import('../render/tier-change.js')]);
        const ws = openWorkspace({ root: g.root, cwd: ctx.cwd, env: ctx.env });
        const r = await promote(ws, automation, { to: opts.to, dryRun: opts.dryRun, reason: opts.reason, force: opts.force, now: ctx.clock, context: ctx, decider: () => ctx.identity.reviewer(ws.root, opts.as) });
        if (o.json) o.out(render.promoteJson(r));
        else render.renderPromotion(o, r);
        return r.promoted || (r.dryRun && (r.passed || r.forced)) ? 0 : 1;
      }),
    );

async function history(o: Output, ctx: Context, root: string | undefined, automation: string, opts: Record<string, unknown>): Promise<ExitCode> {
  const others = ['to', 'dryRun', 'reason', 'as', 'force'].filter((k) => opts[k] !== undefined);
  if (others.length) throw new UsageError(`--history only reads the log: it does not go with ${others.map((k) => `--${k === 'dryRun' ? 'dry-run' : k}`).join(', ')}`);
  const [{ openWorkspace }, { withStore }, { tierHistory }, render] = await Promise.all([import('../../app/workspace.js'), import('../../app/promote.js'), import('../../app/tier-history.js'), import('../render/tier-history.js')]);
  const ws = openWorkspace({ root, cwd: ctx.cwd, env: ctx.env });
  const h = await withStore(ws, undefined, (store) => tierHistory(ws, store, automation), ctx.openStore);
  if (o.json) o.out(JSON.stringify(h, null, 2));
  else render.renderTierHistory(o, h);
  return 0;
}
