import type { DefineCommand } from './index.js';

export const defineRevert: DefineCommand = (program, wrap, ctx) =>
  program
    .command('revert <run>')
    .description('reverse a tier-2 action inside its window (runs the automation’s reversal command)')
    .requiredOption('--reason <text>', 'why it is reversed')
    .option('--as <who>', 'who reverses (default: git user.email); recorded beside the OS login and git identity')
    .option('--force', 'reverse an action in doubt (it may not have happened) or retry a revert in doubt; the command is told so')
    .action(
      wrap(async (o, g, runId: string, opts: { reason: string; as?: string; force?: boolean }) => {
        const [{ withStore }, { revertRun }, { killableOnSecondCtrlC }, { terminalSafe }] = await Promise.all([
          import('../../app/open-store.js'),
          import('../../app/revert.js'),
          import('../interrupt.js'),
          import('../render/terminal-safe.js'),
        ]);
        return withStore(ctx, g.root, async (store, ws) => {
          const { name, identity } = await ctx.identity.reviewer(ws.root, opts.as);
          const result = await killableOnSecondCtrlC(o, 'the reversal command', (signal) =>
            revertRun(ws, store, runId, { by: name, identity, reason: opts.reason, now: ctx.clock(), force: opts.force, signal }),
          );
          if (o.json) o.out(JSON.stringify({ runId, reverted: true, result }, null, 2));
          // What the reversal command printed is untrusted text: its terminal controls are shown, not obeyed.
          else if (!o.quiet) o.err(`${runId}: reverted${result.stdout ? `\n${terminalSafe(result.stdout)}` : ''}`);
          return 0;
        });
      }),
    );
