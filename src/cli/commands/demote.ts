import type { DefineCommand } from './index.js';
import { positiveInt } from './parse-args.js';

const tier = (v: string): number => positiveInt(v, { max: 3 });

export const defineDemote: DefineCommand = (program, wrap, ctx) =>
  program
    .command('demote <automation>')
    .description('move an automation down a tier (or to --to): always allowed, with a reason, and recorded like a promotion')
    .option('--reason <text>', 'why (required)')
    .option('--to <tier>', 'the tier to move to (default: one down)', tier)
    .option('--as <who>', 'who decides (default: git user.email); recorded beside the OS login and git identity')
    .action(
      wrap(async (o, g, automation: string, opts: { to?: number; reason?: string; as?: string }) => {
        const [{ openWorkspace }, { demote }, render] = await Promise.all([import('../../app/workspace.js'), import('../../app/demote.js'), import('../render/tier-change.js')]);
        const ws = openWorkspace({ root: g.root, cwd: ctx.cwd, env: ctx.env });
        const r = await demote(ws, automation, { to: opts.to, reason: opts.reason, now: ctx.clock, context: ctx, decider: () => ctx.identity.reviewer(ws.root, opts.as) });
        if (o.json) o.out(render.demoteJson(r, opts.reason!.trim()));
        else render.renderDemotion(o, r);
        return 0;
      }),
    );
