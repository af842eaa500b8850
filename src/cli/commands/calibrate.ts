import type { DefineCommand } from './index.js';
import { UsageError } from '../../errors.js';
import { terminalSafe } from '../render/terminal-safe.js';

interface CalibrateFlags {
  targetPrecision?: string;
  apply?: boolean;
  as?: string;
}

export const defineCalibrate: DefineCommand = (program, wrap, ctx) =>
  program
    .command('calibrate <automation>')
    .description('how well confidence predicts correctness, from graded runs; the threshold for a target precision')
    .option('--target-precision <p>', 'share of auto-passed runs that must be correct, at 95% confidence (default 0.95)')
    .option('--apply', 'write the threshold into the automation file (comments kept) and log it')
    .option('--as <who>', 'who applies it (default: git user.email)')
    .action(
      wrap(async (o, g, automation: string, opts: CalibrateFlags) => {
        const target = opts.targetPrecision === undefined ? undefined : Number(opts.targetPrecision);
        if (target !== undefined && !(target > 0 && target < 1)) throw new UsageError(`--target-precision ${opts.targetPrecision}: not a number between 0 and 1`, { hint: 'e.g. 0.95' });
        if (opts.as && !opts.apply) throw new UsageError('--as goes only with --apply');
        const [{ withValidStore }, app, { renderCalibration, neededText }] = await Promise.all([import('../../app/open-store.js'), import('../../app/calibrate.js'), import('../render/calibration.js')]);
        return withValidStore(ctx, g.root, async (store, ws) => {
          const c = await app.calibrateAutomation(store, ws, { automation, targetPrecision: target, now: ctx.clock() });
          let applied: Awaited<ReturnType<typeof app.applyThreshold>> | null = null;
          if (opts.apply && c.threshold !== null) {
            applied = await app.applyThreshold(store, ws, c, await ctx.identity.name(ws.root, opts.as), ctx.clock());
          }
          if (o.json) o.out(JSON.stringify({ ...c, ...(opts.apply ? { applied } : {}) }, null, 2));
          else o.out(terminalSafe(renderCalibration(c)));
          if (c.threshold === null) {
            if (!o.quiet) o.err(`${automation}: no threshold meets the target${opts.apply ? '; nothing was written' : ''}: ${neededText(c.needed!, c)}`);
            return 1;
          }
          if (applied && !o.quiet) o.err(applied.changed ? `${applied.file}: confidence.threshold ${applied.from ?? 'unset'} → ${applied.to}, logged as threshold_changed` : `${applied.file}: confidence.threshold is already ${applied.to}; nothing written`);
          return 0;
        });
      }),
    );
