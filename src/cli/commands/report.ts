import type { DefineCommand } from './index.js';
import { UsageError } from '../../errors.js';
import { terminalSafe } from '../render/terminal-safe.js';

const FORMATS = ['markdown', 'json'] as const;

interface ReportFlags {
  month: string;
  format?: string;
  output?: string;
  failOnFlags?: boolean;
  signOff?: boolean;
  as?: string;
}

export const defineReport: DefineCommand = (program, wrap, ctx) =>
  program
    .command('report')
    .description('monthly review: each automation this month against last, and flags')
    .requiredOption('--month <YYYY-MM>', 'the month to review')
    .option('--format <format>', 'markdown (default) or json')
    .option('-o, --output <file>', 'write the report to a file (format from the extension: .json, else markdown)')
    .option('--fail-on-flags', 'exit 1 when any automation has a flag (for a scheduled CI job)')
    .option('--sign-off', 'record that the review was held: logs review_completed for the month; exits 0 whatever the flags')
    .option('--as <who>', 'who held the review (default: git user.email)')
    .action(
      wrap(async (o, g, opts: ReportFlags) => {
        if (opts.format && !FORMATS.includes(opts.format as never)) throw new UsageError(`unknown format "${opts.format}"`, { hint: FORMATS.join(' or ') });
        if (opts.as && !opts.signOff) throw new UsageError('--as goes only with --sign-off');
        const [{ withValidStore }, report, { renderReportMarkdown }, { writeFileAtomic }, { resolve }] = await Promise.all([
          import('../../app/open-store.js'),
          import('../../app/report.js'),
          import('../render/report-markdown.js'),
          import('../../fs/atomic.js'),
          import('node:path'),
        ]);
        const now = ctx.clock();
        report.checkMonth(opts.month, now);
        // Before the log is read or a sign-off logged: a report that cannot be written is found now.
        if (opts.output) (await import('../../fs/output-path.js')).checkOutputPath({ path: opts.output, label: '-o' });
        return withValidStore(ctx, g.root, async (store, ws) => {
          const r = await report.monthlyReport(store, ws, { month: opts.month, now });
          const render = (format: string) => (format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : renderReportMarkdown(r));
          const format = o.json ? 'json' : (opts.format ?? 'markdown');
          if (opts.output) {
            writeFileAtomic(resolve(opts.output), render(opts.format ?? (opts.output.endsWith('.json') ? 'json' : 'markdown')));
            if (!o.quiet) o.err(`wrote ${opts.output}`);
          } else o.out(render(format));
          const flagged = r.automations.filter((a) => a.flags.length);
          if (opts.signOff) {
            const by = await ctx.identity.name(ws.root, opts.as);
            const n = await report.signOff(store, r, by, ctx.clock());
            if (!o.quiet) o.err(`signed off ${r.month} for ${n} automation${n === 1 ? '' : 's'} by ${by}`);
            return 0;
          }
          if (!o.quiet && flagged.length) o.err(`${flagged.length} of ${r.automations.length} automations have flags: ${terminalSafe(flagged.map((a) => a.id).join(', '))}`);
          return opts.failOnFlags && flagged.length ? 1 : 0;
        });
      }),
    );
