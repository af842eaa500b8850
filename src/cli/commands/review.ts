import { readFileSync } from 'node:fs';
import { AigovError, UsageError } from '../../errors.js';
import { fileError } from '../../fs/file-errors.js';
import type { DefineCommand } from './index.js';
import type { Decision } from '../../app/review.js';

interface DecisionFlags {
  reason?: string;
  as?: string;
  output?: string;
  outputFile?: string;
}

export const defineReview: DefineCommand = (program, wrap, ctx) => {
  const review = program.command('review').description('the human review queue, and the audit queue of sampled auto runs (approve, override or reject grades them)');
  review
    .command('list')
    .description('runs waiting for review or approval, oldest first')
    .option('--automation <id>', 'only this automation')
    .option('--audit', 'the audit queue: auto runs sampled for a review after the fact')
    .action(
      wrap(async (o, g, opts: { automation?: string; audit?: boolean }) => {
        const [{ withStore }, { pendingReviews, pendingReviewPages }, { renderRuns }, { writeJsonArray }] = await Promise.all([
          import('../../app/open-store.js'),
          import('../../app/review.js'),
          import('../render/runs.js'),
          import('../render/json-stream.js'),
        ]);
        return withStore(ctx, g.root, async (store) => {
          if (o.json) {
            await writeJsonArray(pendingReviewPages(store, opts), ctx.terminal.stdout);
            return 0;
          }
          const rows = await pendingReviews(store, opts);
          o.out(rows.length ? renderRuns(rows, o) : opts.audit ? 'the audit queue is empty' : 'the review queue is empty');
          return 0;
        });
      }),
    );
  const decide = (decision: Decision, description: string, extra?: (c: ReturnType<typeof review.command>) => void): void => {
    const c = review
      .command(`${decision} <run>`)
      .description(description)
      .option('--reason <text>', decision === 'approve' ? 'why (optional)' : 'why (required)')
      .option('--as <who>', 'reviewer (default: git user.email); recorded beside the OS login and git identity');
    extra?.(c);
    c.action(
      wrap(async (o, g, runId: string, opts: DecisionFlags) => {
        const [{ withStore }, { resolveReview }] = await Promise.all([import('../../app/open-store.js'), import('../../app/review.js')]);
        const output = correctedOutput(opts);
        return withStore(ctx, g.root, async (store, ws) => {
          const { name: reviewer, identity } = await ctx.identity.reviewer(ws.root, opts.as);
          const { audit } = await resolveReview(store, runId, { decision, reviewer, identity, reason: opts.reason, output, now: ctx.clock() });
          if (o.json) o.out(JSON.stringify({ runId, decision, reviewer, audit }));
          else if (!o.quiet) {
            const done = decision === 'approve' ? 'approved' : decision === 'override' ? 'overridden' : 'rejected';
            o.err(audit ? `${runId}: audit grade logged, ${done} by ${reviewer}` : `${runId}: ${done} by ${reviewer}`);
            // An audited run was acted on as usual: its grade is evidence, and changes no action.
            if (audit && decision !== 'approve') o.err('  the run was acted on as usual and its action stands; to reverse a tier-2 action inside its window: aigov revert ' + runId);
          }
          return 0;
        });
      }),
    );
  };
  decide('approve', 'approve a run as it is');
  decide('override', 'replace a run’s output with a corrected one', (c) => c.option('--output <text>', 'the corrected output').option('--output-file <file>', 'read the corrected output from a file'));
  decide('reject', 'reject a run: it must not be acted on');
};

/** The corrected output an override gives, read before the run log is opened: a file that is not there is named with its flag. */
function correctedOutput(opts: DecisionFlags): string | undefined {
  if (opts.outputFile === undefined) return opts.output;
  if (opts.output !== undefined) throw new UsageError('--output and --output-file do not go together', { hint: 'give the corrected output one way' });
  try {
    return readFileSync(opts.outputFile, 'utf8');
  } catch (err) {
    const e = fileError(err, opts.outputFile, 'read');
    if (!e) throw err;
    throw new AigovError(e.code, `--output-file ${e.message}`, { exitCode: e.exitCode, location: e.location, cause: err });
  }
}
