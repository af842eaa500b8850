// `aigov eval --merge FILE…`: one report and one exit code from the JSON reports
// of `--shard i/n` runs, rendered like any eval report. Runs nothing, so it needs
// no workspace and no model.
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { mergeReportFiles } from '../../app/eval-merge.js';
import { exitCodeOf } from '../../core/eval/report.js';
import { UsageError, type ExitCode } from '../../errors.js';
import { writeFileAtomic } from '../../fs/atomic.js';
import type { GlobalOptions } from '../main.js';
import type { Output } from '../output.js';
import { renderFailingCases } from '../render/deviations.js';
import * as render from '../render/report.js';
import type { EvalFlags } from './eval-action.js';

/** Flags that choose what to run and how: a merge runs nothing, so each would be silently ignored. */
const RUN_FLAGS: [keyof EvalFlags, string][] = [
  ['replay', '--replay'],
  ['record', '--record'],
  ['repeat', '--repeat'],
  ['concurrency', '--concurrency'],
  ['timeout', '--timeout'],
  ['retries', '--retries'],
  ['changedSince', '--changed-since'],
  ['shard', '--shard'],
  ['unlocked', '--unlocked'],
  ['accept', '--accept'],
];

export async function evalMergeAction(o: Output, _g: GlobalOptions, suites: string[], files: string[], opts: EvalFlags): Promise<ExitCode> {
  if (suites.length) throw new UsageError(`--merge runs nothing: suites (${suites.join(', ')}) do not go with it`, { hint: 'shards already chose their suites' });
  const given = RUN_FLAGS.filter(([key]) => opts[key] !== undefined && opts[key] !== false).map(([, flag]) => flag);
  if (opts.cache === false) given.push('--no-cache');
  if (given.length) throw new UsageError(`--merge runs nothing: ${given.join(', ')} ${given.length > 1 ? 'do' : 'does'} not go with it`, { hint: 'pass those to the --shard runs' });
  if (o.json && opts.format) throw new UsageError('--json and --format cannot be used together', { hint: '--json is short for --format json' });
  const format = opts.format ? render.checkFormat(opts.format) : o.json ? 'json' : 'table';
  // Before reading anything: a bad report path found afterwards would waste the merge.
  const fileFormat = opts.output ? render.formatForFile(opts.output) : undefined;
  const report = mergeReportFiles(files);
  if (opts.output) writeFileAtomic(resolve(opts.output), `${render.renderReport(report, fileFormat!, { ...o, color: false })}\n`);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${render.renderReport(report, 'markdown', o)}\n`);
  if (!o.quiet || format !== 'table') o.out(render.renderReport(report, format, o));
  else {
    const failing = renderFailingCases(report, o);
    if (failing) o.out(failing);
  }
  return exitCodeOf(report);
}
