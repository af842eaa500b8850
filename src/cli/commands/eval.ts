import type { DefineCommand } from './index.js';
import type { EvalFlags } from './eval-action.js';
import { MAX_CONCURRENCY, MAX_REPEAT, MAX_RETRIES } from '../../core/workspace/schemas.js';
import { positiveInt } from './parse-args.js';

export const defineEval: DefineCommand = (program, wrap, ctx) =>
  program
    .command('eval [suites...]')
    .description('run eval suites against locked models, diff against expected outputs, gate')
    .option('--replay', 'answer only from fixtures/ (no network, no API key)')
    .option('--record', 'call the models and write the answers to fixtures/')
    .option('--no-cache', 'bypass .aigov/cache')
    .option('--repeat <n>', `samples per case, at most ${MAX_REPEAT} (overrides the suites)`, (v) => positiveInt(v, { max: MAX_REPEAT }))
    .option('--concurrency <n>', `calls in flight at once, at most ${MAX_CONCURRENCY}`, (v) => positiveInt(v, { max: MAX_CONCURRENCY }))
    .option('--timeout <ms>', 'per call', (v) => positiveInt(v))
    .option('--retries <n>', `retries on 429, 5xx, timeouts and resets, at most ${MAX_RETRIES}`, (v) => positiveInt(v, { allowZero: true, max: MAX_RETRIES }))
    .option('--changed-since <ref>', 'only suites whose suite file, prompt file or model pin changed since a git ref')
    .option('--baseline <ref>', 'run the suites the change touched at a git ref and at the working tree, and compare them case by case')
    .option('--shard <i/n>', 'run a deterministic slice i of n, for CI matrices')
    .option('--unlocked', 'allow models not pinned in aigov.lock (local experiments; said loudly in the report)')
    .option('--format <format>', 'table, json, junit, markdown or github')
    .option('-o, --output <file>', 'also write a report (format from the extension)')
    .option('--accept <cases...>', 'write the observed output back as expect for these cases (id or suite/id)')
    .option('--merge <reports...>', 'merge the JSON reports of --shard runs into one report and exit code; runs nothing')
    .action(
      wrap(async (o, g, suites: string[], opts: EvalFlags & { merge?: string[] }) => {
        if (opts.merge) {
          const { evalMergeAction } = await import('./eval-merge.js');
          return evalMergeAction(o, g, suites, opts.merge, opts, ctx);
        }
        const { evalAction } = await import('./eval-action.js');
        return evalAction(o, g, suites, opts, ctx);
      }),
    );
