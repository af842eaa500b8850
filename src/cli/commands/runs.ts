import type { DefineCommand } from './index.js';
import { positiveInt } from './parse-args.js';
import { UsageError } from '../../errors.js';

const DISPOSITIONS = ['auto', 'review', 'approval_required'];
const DURATION = /^\d+(ms|s|m|h|d)$/;

export const defineRuns: DefineCommand = (program, wrap, ctx) => {
  const runs = program
    .command('runs')
    .description('query the run log (newest first; --json lists every match unless --limit)')
    .option('--automation <id>', 'only this automation')
    .option('--since <time>', 'ISO date or time, e.g. 2026-11-01')
    .option('--disposition <d>', 'auto, review or approval_required')
    .option('--stale <duration>', 'only runs that started longer ago than this (e.g. 1h) and never finished')
    .option('--limit <n>', 'at most n runs (default 50 in a table)', (v) => positiveInt(v))
    .action(
      wrap(async (o, g, opts: { automation?: string; since?: string; disposition?: string; stale?: string; limit?: number }) => {
        if (opts.disposition && !DISPOSITIONS.includes(opts.disposition)) throw new UsageError(`unknown disposition "${opts.disposition}"`, { hint: DISPOSITIONS.join(', ') });
        if (opts.since && Number.isNaN(Date.parse(opts.since))) throw new UsageError(`--since ${opts.since}: not a date`, { hint: 'e.g. 2026-11-01 or 2026-11-01T08:00:00Z' });
        if (opts.stale !== undefined && !DURATION.test(opts.stale)) throw new UsageError(`--stale ${opts.stale}: not a duration`, { hint: 'e.g. 30m, 1h or 2d' });
        if (opts.stale !== undefined && opts.disposition) throw new UsageError('--stale and --disposition do not go together: a run that never finished has no disposition');
        const [{ withStore }, { listRuns, runPages }, { renderRuns }, { writeJsonArray }, { parseDuration }] = await Promise.all([
          import('../../app/open-store.js'),
          import('../../app/runs.js'),
          import('../render/runs.js'),
          import('../render/json-stream.js'),
          import('../../core/duration.js'),
        ]);
        return withStore(ctx, g.root, async (store) => {
          const filter = {
            automation: opts.automation,
            since: opts.since ? new Date(opts.since).toISOString() : undefined,
            disposition: opts.disposition as never,
            staleBefore: opts.stale === undefined ? undefined : new Date(ctx.clock().getTime() - parseDuration(opts.stale)).toISOString(),
            limit: opts.limit ?? (o.json ? undefined : 50),
          };
          // Every match with --json, so it streams: a page of runs at a time.
          if (o.json) await writeJsonArray(runPages(store, filter), ctx.terminal.stdout);
          else o.out(renderRuns(await listRuns(store, filter), o));
          return 0;
        });
      }),
    );
  runs
    .command('show <run>')
    .description('every event of one run, in order')
    .action(
      wrap(async (o, g, runId: string) => {
        const [{ withStore }, { loadRun, runRow }, { renderEvents, describeRun }] = await Promise.all([import('../../app/open-store.js'), import('../../app/runs.js'), import('../render/runs.js')]);
        return withStore(ctx, g.root, async (store) => {
          const { events, state } = await loadRun(store, runId);
          if (o.json) o.out(JSON.stringify(events, null, 2));
          else o.out(`${describeRun(runRow(state), { revertInDoubt: state.revertInDoubt !== undefined })}\n${renderEvents(events)}`);
          return 0;
        });
      }),
    );
  runs
    .command('close <run>')
    .description('end a run that started and never finished (logged as run_abandoned)')
    .requiredOption('--reason <text>', 'why it is closed, e.g. "worker killed in the deploy"')
    .option('--as <who>', 'who closes it (default: git user.email); recorded beside the OS login and git identity')
    .action(
      wrap(async (o, g, runId: string, opts: { reason: string; as?: string }) => {
        const [{ withStore }, { closeRun }] = await Promise.all([import('../../app/open-store.js'), import('../../app/close-run.js')]);
        return withStore(ctx, g.root, async (store, ws) => {
          const { name, identity } = await ctx.identity.reviewer(ws.root, opts.as);
          await closeRun(store, runId, { by: name, identity, reason: opts.reason, now: ctx.clock() });
          if (o.json) o.out(JSON.stringify({ runId, closed: true, by: name }));
          else if (!o.quiet) o.err(`${runId}: closed as abandoned by ${name}`);
          return 0;
        });
      }),
    );
};
