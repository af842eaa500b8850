import type { DefineCommand } from './index.js';

interface DashboardFlags {
  since: string;
  until?: string;
  html?: string;
}

export const defineDashboard: DefineCommand = (program, wrap, ctx) =>
  program
    .command('dashboard')
    .description('every automation in one view: rates, backlog, confidence, flags')
    .option('--since <when>', 'runs started since: a duration back from now (30d, 12h) or a date', '30d')
    .option('--until <when>', 'runs started before this date (default: now)')
    .option('--html <file>', 'also write a self-contained HTML page with charts')
    .action(
      wrap(async (o, g, opts: DashboardFlags) => {
        const [{ withValidStore }, app, { renderDashboardTerminal }] = await Promise.all([import('../../app/open-store.js'), import('../../app/dashboard.js'), import('../render/dashboard-terminal.js')]);
        const now = ctx.clock();
        const until = opts.until === undefined ? now : app.parseSince(opts.until, now, '--until');
        const since = app.parseSince(opts.since, until);
        // Before the log is read: a page that cannot be written is found now.
        if (opts.html) (await import('../../fs/output-path.js')).checkOutputPath({ path: opts.html, label: '--html' });
        return withValidStore(ctx, g.root, async (store, ws) => {
          const d = await app.dashboard(store, ws, { since, until, now });
          if (opts.html) {
            const [{ renderDashboardHtml }, { writeFileAtomic }, { resolve }] = await Promise.all([import('../render/dashboard-html.js'), import('../../fs/atomic.js'), import('node:path')]);
            writeFileAtomic(resolve(opts.html), renderDashboardHtml(d));
            if (!o.quiet) o.err(`wrote ${opts.html}`);
          }
          if (o.json) {
            const { dashboardJson } = await import('../../core/report/dashboard.js');
            o.out(JSON.stringify(dashboardJson(d), null, 2));
          } else if (!o.quiet || !opts.html) o.out(renderDashboardTerminal(d, o));
          return 0;
        });
      }),
    );
