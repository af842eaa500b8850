import type { DefineCommand } from './index.js';
import { UsageError } from '../../errors.js';

export const defineGitHub: DefineCommand = (program, wrap, ctx) => {
  const github = program.command('github').description('GitHub glue for CI (what the aigov GitHub Action runs)');
  github
    .command('comment')
    .description('create or update the one pull-request comment that starts with the marker (env: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL); prints its URL')
    .requiredOption('--body <file>', 'the comment text, e.g. the report of `aigov eval --baseline … -o comment.md`')
    .option('--marker <name>', 'the hidden marker <!-- name --> that finds the comment again: one comment per name', 'aigov-eval')
    .action(
      wrap(async (o, _g, opts: { body: string; marker: string }) => {
        const [{ readFileSync }, { commentMarker }, { pullRequestFromEnv, upsertComment }, { createFetch }] = await Promise.all([
          import('node:fs'),
          import('../../core/github/comment-body.js'),
          import('../../app/github-comment.js'),
          import('../../providers/http-fetch.js'),
        ]);
        const marker = commentMarker(opts.marker);
        if (!marker) throw new UsageError(`--marker "${opts.marker}": letters, digits, ".", "_" and single "-" only`, { hint: 'e.g. aigov-eval or aigov-eval.billing' });
        const { pr, token } = pullRequestFromEnv(ctx.env);
        const text = readFileSync(opts.body, 'utf8');
        const r = await upsertComment({ pr, token, text, marker, fetch: createFetch({ connections: 1, env: ctx.env }) });
        if (o.json) o.out(JSON.stringify(r, null, 2));
        else {
          if (!o.quiet) o.err(`${r.action === 'unchanged' ? 'left alone (no change)' : r.action} the comment on ${pr.owner}/${pr.repo}#${pr.number}`);
          o.out(r.url);
        }
        return 0;
      }),
    );
};
