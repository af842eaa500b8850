// `aigov eval` as the CLI runs it: flags in, one evalGate (run, then record), reports out.
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from '../../app/context.js';
import { evalBaseline } from '../../app/eval-baseline.js';
import type { EvalOptions } from '../../app/eval.js';
import { evalGate, type EvalGateResult } from '../../app/eval-gate.js';
import { gitState } from '../../app/git.js';
import { workspaceEnv } from '../../app/read-workspace.js';
import { whenQuiet } from '../../app/when-quiet.js';
import { openWorkspace } from '../../app/workspace.js';
import { parseShard } from '../../core/eval/plan.js';
import { exitCodeOf, type EvalReport } from '../../core/eval/report.js';
import type { Workspace } from '../../core/workspace/workspace.js';
import { formatProblem, UsageError, type ExitCode } from '../../errors.js';
import { writeFileAtomic } from '../../fs/atomic.js';
import { fileError } from '../../fs/file-errors.js';
import { tuneGcForManyCalls } from '../gc-tuning.js';
import { checkOutputFolder, checkOutputPath } from '../../fs/output-path.js';
import type { GlobalOptions } from '../main.js';
import type { Output } from '../output.js';
import { progressBar } from '../progress.js';
import { checkFormat, formatForFile } from '../render/formats.js';

export interface EvalFlags {
  replay?: boolean;
  record?: boolean;
  cache: boolean;
  repeat?: number;
  concurrency?: number;
  timeout?: number;
  retries?: number;
  shard?: string;
  unlocked?: boolean;
  format?: string;
  output?: string;
  accept?: string[];
  changedSince?: string;
  baseline?: string;
}

export async function evalAction(o: Output, g: GlobalOptions, suites: string[], opts: EvalFlags, ctx: Context): Promise<ExitCode> {
  if (opts.replay && opts.record) throw new UsageError('--replay and --record cannot be used together');
  if (opts.changedSince && suites.length) throw new UsageError('name suites or use --changed-since, not both');
  if (opts.baseline !== undefined) checkBaselineFlags(opts);
  // Two flags for one choice would leave one of them silently ignored.
  if (o.json && opts.format) throw new UsageError('--json and --format cannot be used together', { hint: '--json is short for --format json' });
  const format = opts.format ? checkFormat(opts.format) : o.json ? 'json' : 'table';
  checkOutputs(opts.output, ctx.env.GITHUB_STEP_SUMMARY);
  tuneGcForManyCalls();
  const ws = openWorkspace({ root: g.root, cwd: ctx.cwd, env: ctx.env });
  // --record keeps the answers in fixtures/: a folder it cannot write in would throw the paid-for run away.
  if (opts.record) checkOutputFolder({ path: 'fixtures', label: '--record' }, ws.root);
  let bar = progressBar(o, 'eval');
  // The renderers are not needed to start the calls: loaded at the run's first pause, or when the report is due.
  // A quiet run that writes no report file needs only the one that names the failing cases.
  const reports = !!opts.output || !!ctx.env.GITHUB_STEP_SUMMARY || !o.quiet || format !== 'table';
  let loading: Promise<Renderers> | undefined;
  const renderers = (): Promise<Renderers> => (loading ??= loadRenderers(reports));
  const quiet = whenQuiet(() => void renderers().catch(() => {}));
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    o.err('\ninterrupted: finishing nothing new; press Ctrl-C again to quit at once');
  };
  const run: EvalOptions = {
    suites: opts.changedSince ? await changed(o, ws, opts.changedSince, ctx) : suites.length ? suites : undefined,
    mode: opts.replay ? 'replay' : opts.record ? 'record' : 'live',
    cache: opts.cache,
    repeat: opts.repeat,
    concurrency: opts.concurrency,
    timeoutMs: opts.timeout,
    retries: opts.retries,
    shard: opts.shard ? parseShard(opts.shard) : undefined,
    unlocked: opts.unlocked,
    env: workspaceEnv(ws.root, ctx.env, (p) => !o.quiet && o.err(formatProblem(p))),
    signal: controller.signal,
    onProgress: (d, t) => {
      bar.update(d, t);
      quiet.answered();
    },
    // aigov's own one-line notices stand in for anything a provider's SDK would have printed.
    onWarning: (m) => {
      if (!o.quiet) o.err(`warning: ${m}`);
    },
  };
  process.on('SIGINT', onSigint);
  let gate: EvalGateResult;
  let recordErrors: Error[];
  try {
    if (opts.baseline !== undefined) {
      const r = await evalBaseline(ws, {
        ...run,
        git: ctx.git(ws.root),
        evidence: { context: ctx },
        ref: opts.baseline,
        onProblem: (p) => !o.quiet && o.err(formatProblem(p)),
        onSide: (side, names, commit) => {
          bar.end();
          bar = progressBar(o, side);
          if (o.quiet) return;
          if (side === 'base') o.err(`base ${opts.baseline}${commit ? ` (${commit.slice(0, 12)})` : ''}: ${names.join(', ')}`);
          else o.err(names.length ? `head (the working tree): ${names.join(', ')}` : `no suite changed since ${opts.baseline}: nothing to compare`);
        },
      });
      gate = { ...r.head, report: r.report };
      recordErrors = [r.base?.recordError, r.head.recordError].filter((e): e is Error => !!e);
    } else {
      gate = await evalGate(ws, { ...run, evidence: { context: ctx } });
      recordErrors = gate.recordError ? [gate.recordError] : [];
    }
  } finally {
    quiet.stop();
    bar.end();
    process.off('SIGINT', onSigint);
  }
  const { renderFailingCases, ...loaded } = await renderers();
  const renderReport = loaded.renderReport!;
  // The report names its commit, so `--merge` can refuse shards of different commits.
  const report = { ...gate.report, ...(gate.git ?? (await gitState(ws.root, ctx.git(ws.root)))) };
  // The results are evidence for promotion; failing to record them is worth a warning, not a failed gate.
  for (const e of new Set(recordErrors.map((x) => x.message))) o.err(`warning: the results were not recorded in the run log: ${e}`);
  // Files first: should one fail after all, stdout holds the error alone, as --json promises.
  if (opts.output) writeOutput('-o', opts.output, () => writeFileAtomic(resolve(opts.output!), `${renderReport(report, formatForFile(opts.output!), { ...o, color: false })}\n`));
  const summary = ctx.env.GITHUB_STEP_SUMMARY;
  if (summary) writeOutput('GITHUB_STEP_SUMMARY', summary, () => appendFileSync(summary, `${renderReport(report, 'markdown', o)}\n`));
  if (!o.quiet || format !== 'table') o.out(renderReport(report, format, o));
  else {
    // Quiet still names what failed the gate: an exit code alone sends people digging.
    const failing = renderFailingCases(report, o);
    if (failing) o.out(failing);
  }
  // After the report, so a refused --accept still leaves the results on screen.
  let accepted = new Set<string>();
  if (opts.accept?.length && !report.interrupted) {
    const { acceptOutputs } = await import('../../app/accept.js');
    const result = acceptOutputs(ws, report, opts.accept);
    accepted = result.accepted;
    if (!o.quiet) o.err(`accepted ${result.accepted.size} case${result.accepted.size === 1 ? '' : 's'}: ${[...result.accepted].join(', ')}`);
  }
  return exitCodeOf(withoutAccepted(report, accepted));
}

/** `--baseline` chooses its own suites and runs every case both ways: these would make the comparison a lie or be silently ignored. */
function checkBaselineFlags(opts: EvalFlags): void {
  if (!opts.baseline || opts.baseline.startsWith('-')) throw new UsageError(`--baseline needs a git ref${opts.baseline ? `, got the option "${opts.baseline}"` : ''}`, { hint: 'for example --baseline origin/main' });
  if (opts.changedSince) throw new UsageError('--baseline and --changed-since cannot be used together', { hint: '--baseline already runs only the suites the change touched since its ref' });
  if (opts.shard) throw new UsageError('--baseline does not go with --shard: a comparison needs every case of a suite on both sides', { hint: 'run --baseline in one job; the cache keeps the base run cheap' });
  if (opts.accept?.length) throw new UsageError('--baseline does not go with --accept', { hint: 'accept outputs with a plain `aigov eval --accept`' });
}

/** Where the reports go is checked before any model is called: a bad path found afterwards wastes the run. */
function checkOutputs(output: string | undefined, summary: string | undefined): void {
  if (output !== undefined) {
    // Commander takes the next word as the value when it starts with "-" but is no known option: `-o -x.json`.
    if (output === '' || output.startsWith('-')) throw new UsageError(`-o needs a file name${output ? `, got the option "${output}"` : ''}`, { hint: output ? `for a file whose name starts with "-", write ./${output}` : 'for example -o report.json' });
    checkOutputPath({ path: output, label: '-o' });
    formatForFile(output);
  }
  if (summary) checkOutputPath({ path: summary, label: 'GITHUB_STEP_SUMMARY', append: true });
}

function writeOutput(label: string, path: string, write: () => void): void {
  try {
    write();
  } catch (err) {
    const e = fileError(err, `${label} ${path}`, 'write', 'E_OUTPUT_PATH');
    throw e ?? err;
  }
}

/** Accepted cases now pass by definition: their new expect is what was observed. */
function withoutAccepted(report: EvalReport, accepted: ReadonlySet<string>): EvalReport {
  if (!accepted.size) return report;
  const totals = { ...report.totals };
  for (const s of report.suites) for (const c of s.cases) if (accepted.has(`${s.suite}/${c.id}`) && c.status === 'fail') totals.failed--;
  return { ...report, totals };
}

async function changed(o: Output, ws: Workspace, ref: string, ctx: Context): Promise<string[]> {
  const { changedSuites } = await import('../../app/changed.js');
  const names = await changedSuites(ws, ref, { git: ctx.git(ws.root), onProblem: (p) => !o.quiet && o.err(formatProblem(p)) });
  if (!o.quiet) o.err(names.length ? `changed since ${ref}: ${names.join(', ')}` : `no suite changed since ${ref}: nothing to run`);
  return names;
}

interface Renderers {
  /** Loaded where a report is written or shown. */
  renderReport?: typeof import('../render/report.js').renderReport;
  renderFailingCases: typeof import('../render/failing-cases.js').renderFailingCases;
}

async function loadRenderers(reports: boolean): Promise<Renderers> {
  const [report, { renderFailingCases }] = await Promise.all([reports ? import('../render/report.js') : undefined, import('../render/failing-cases.js')]);
  return { renderReport: report?.renderReport, renderFailingCases };
}
