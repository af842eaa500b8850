import type { DefineCommand } from './index.js';
import { positiveInt } from './parse-args.js';
import { UsageError } from '../../errors.js';

const DISPOSITIONS = ['auto', 'review', 'approval_required'];

export const defineRuns: DefineCommand = (program, wrap) => {
  const runs = program
    .command('runs')
    .description('query the run log (newest first; --json lists every match unless --limit)')
    .option('--automation <id>', 'only this automation')
    .option('--since <time>', 'ISO date or time, e.g. 2026-11-01')
    .option('--disposition <d>', 'auto, review or approval_required')
    .option('--limit <n>', 'at most n runs (default 50 in a table)', (v) => positiveInt(v))
    .action(
      wrap(async (o, g, opts: { automation?: string; since?: string; disposition?: string; limit?: number }) => {
        if (opts.disposition && !DISPOSITIONS.includes(opts.disposition)) throw new UsageError(`unknown disposition "${opts.disposition}"`, { hint: DISPOSITIONS.join(', ') });
        if (opts.since && Number.isNaN(Date.parse(opts.since))) throw new UsageError(`--since ${opts.since}: not a date`, { hint: 'e.g. 2026-11-01 or 2026-11-01T08:00:00Z' });
        const [{ withStore }, { listRuns, runPages }, { renderRuns }, { writeJsonArray }] = await Promise.all([
          import('../../app/open-store.js'),
          import('../../app/runs.js'),
          import('../render/runs.js'),
          import('../render/json-stream.js'),
        ]);
        return withStore(g.root, async (store) => {
          const filter = {
            automation: opts.automation,
            since: opts.since ? new Date(opts.since).toISOString() : undefined,
            disposition: opts.disposition as never,
            limit: opts.limit ?? (o.json ? undefined : 50),
          };
          // Every match with --json, so it streams: a page of runs at a time.
          if (o.json) await writeJsonArray(runPages(store, filter));
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
        const [{ withStore }, { loadRun }, { renderEvents }] = await Promise.all([import('../../app/open-store.js'), import('../../app/runs.js'), import('../render/runs.js')]);
        return withStore(g.root, async (store) => {
          const { events } = await loadRun(store, runId);
          o.out(o.json ? JSON.stringify(events, null, 2) : renderEvents(events));
          return 0;
        });
      }),
    );
};
