// `aigov eval --merge FILE…`: one report and one exit code from the JSON reports
// of `--shard i/n` runs, rendered like any eval report. Runs nothing, so it needs
// no workspace and no model.
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from '../../app/context.js';
import { mergeReportFiles } from '../../app/eval-merge.js';
import { exitCodeOf } from '../../core/eval/report.js';
import { UsageError, type ExitCode } from '../../errors.js';
import { writeFileAtomic } from '../../fs/atomic.js';
import { fileError } from '../../fs/file-errors.js';
import { checkOutputPath } from '../../fs/output-path.js';
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
  ['baseline', '--baseline'],
  ['shard', '--shard'],
  ['unlocked', '--unlocked'],
  ['accept', '--accept'],
];

export async function evalMergeAction(o: Output, _g: GlobalOptions, suites: string[], files: string[], opts: EvalFlags, ctx: Context): Promise<ExitCode> {
  if (suites.length) throw new UsageError(`--merge runs nothing: suites (${suites.join(', ')}) do not go with it`, { hint: 'shards already chose their suites' });
  const given = RUN_FLAGS.filter(([key]) => opts[key] !== undefined && opts[key] !== false).map(([, flag]) => flag);
  if (opts.cache === false) given.push('--no-cache');
  if (given.length) throw new UsageError(`--merge runs nothing: ${given.join(', ')} ${given.length > 1 ? 'do' : 'does'} not go with it`, { hint: 'pass those to the --shard runs' });
  if (o.json && opts.format) throw new UsageError('--json and --format cannot be used together', { hint: '--json is short for --format json' });
  const format = opts.format ? render.checkFormat(opts.format) : o.json ? 'json' : 'table';
  // As for a run: where the reports go is checked first, and files are written before stdout.
  const summary = ctx.env.GITHUB_STEP_SUMMARY;
  if (opts.output !== undefined) {
    if (opts.output === '' || opts.output.startsWith('-')) throw new UsageError(`-o needs a file name${opts.output ? `, got "${opts.output}"` : ''}`, { hint: 'for example -o report.xml' });
    render.formatForFile(opts.output);
    checkOutputPath({ path: opts.output, label: '-o' });
  }
  if (summary) checkOutputPath({ path: summary, label: 'GITHUB_STEP_SUMMARY', append: true });
  const report = mergeReportFiles(files, ctx.cwd);
  if (opts.output) write('-o', opts.output, () => writeFileAtomic(resolve(opts.output!), `${render.renderReport(report, render.formatForFile(opts.output!), { ...o, color: false })}\n`));
  if (summary) write('GITHUB_STEP_SUMMARY', summary, () => appendFileSync(summary, `${render.renderReport(report, 'markdown', o)}\n`));
  if (!o.quiet || format !== 'table') o.out(render.renderReport(report, format, o));
  else {
    const failing = renderFailingCases(report, o);
    if (failing) o.out(failing);
  }
  return exitCodeOf(report);
}

function write(label: string, path: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    throw fileError(err, `${label} ${path}`, 'write', 'E_OUTPUT_PATH') ?? err;
  }
}
