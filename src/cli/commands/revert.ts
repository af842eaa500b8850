import type { DefineCommand } from './index.js';

export const defineRevert: DefineCommand = (program, wrap) =>
  program
    .command('revert <run>')
    .description('reverse a tier-2 action inside its window (runs the automation’s reversal command)')
    .requiredOption('--reason <text>', 'why it is reversed')
    .option('--as <who>', 'who reverses (default: git user.email)')
    .action(
      wrap(async (o, g, runId: string, opts: { reason: string; as?: string }) => {
        const [{ withStore }, { revertRun }, { whoAmI }] = await Promise.all([import('../../app/open-store.js'), import('../../app/revert.js'), import('../../app/identity.js')]);
        return withStore(g.root, async (store, ws) => {
          const result = await revertRun(ws, store, runId, { by: await whoAmI(ws.root, opts.as), reason: opts.reason, now: new Date() });
          if (o.json) o.out(JSON.stringify({ runId, reverted: true, result }, null, 2));
          else if (!o.quiet) o.err(`${runId}: reverted${result.stdout ? `\n${result.stdout}` : ''}`);
          return 0;
        });
      }),
    );
