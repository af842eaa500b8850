// `aigov eval` as the CLI runs it: flags in, one runEval, reports out, evidence recorded.
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { evalEvents } from '../../app/evidence.js';
import { acceptOutputs } from '../../app/accept.js';
import { changedSuites } from '../../app/changed.js';
import { runEval } from '../../app/eval.js';
import { gitState } from '../../app/git.js';
import { whoAmI } from '../../app/identity.js';
import { workspaceEnv } from '../../app/read-workspace.js';
import { openWorkspace } from '../../app/workspace.js';
import { parseShard } from '../../core/eval/plan.js';
import { exitCodeOf, type EvalReport } from '../../core/eval/report.js';
import type { Workspace } from '../../core/workspace/workspace.js';
import { formatProblem, UsageError, type ExitCode } from '../../errors.js';
import { writeFileAtomic } from '../../fs/atomic.js';
import { fileError } from '../../fs/file-errors.js';
import { tuneGcForManyCalls } from '../gc-tuning.js';
import { checkOutputPath } from '../../fs/output-path.js';
import { openStore } from '../../store/open.js';
import type { Store } from '../../store/types.js';
import type { GlobalOptions } from '../main.js';
import type { Output } from '../output.js';
import { progressBar } from '../progress.js';
import { renderFailingCases } from '../render/deviations.js';
import * as render from '../render/report.js';

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
}

export async function evalAction(o: Output, g: GlobalOptions, suites: string[], opts: EvalFlags): Promise<ExitCode> {
  if (opts.replay && opts.record) throw new UsageError('--replay and --record cannot be used together');
  if (opts.changedSince && suites.length) throw new UsageError('name suites or use --changed-since, not both');
  // Two flags for one choice would leave one of them silently ignored.
  if (o.json && opts.format) throw new UsageError('--json and --format cannot be used together', { hint: '--json is short for --format json' });
  const format = opts.format ? render.checkFormat(opts.format) : o.json ? 'json' : 'table';
  checkOutputs(opts.output, process.env.GITHUB_STEP_SUMMARY);
  tuneGcForManyCalls();
  const ws = openWorkspace({ root: g.root });
  // Git, identity and the run log are made ready once the first answer is in:
  // the remaining calls then mostly wait on the network, and none of it
  // delays the first request.
  let evidence: Promise<Evidence | Error> | undefined;
  const prepare = (): Promise<Evidence | Error> => (evidence ??= prepareEvidence(ws));
  const bar = progressBar(o, 'eval');
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    o.err('\ninterrupted: finishing nothing new; press Ctrl-C again to quit at once');
  };
  process.on('SIGINT', onSigint);
  let report: EvalReport;
  try {
    report = await runEval(ws, {
      suites: opts.changedSince ? await changed(o, ws, opts.changedSince) : suites.length ? suites : undefined,
      mode: opts.replay ? 'replay' : opts.record ? 'record' : 'live',
      cache: opts.cache,
      repeat: opts.repeat,
      concurrency: opts.concurrency,
      timeoutMs: opts.timeout,
      retries: opts.retries,
      shard: opts.shard ? parseShard(opts.shard) : undefined,
      unlocked: opts.unlocked,
      env: workspaceEnv(ws.root, process.env, (p) => !o.quiet && o.err(formatProblem(p))),
      signal: controller.signal,
      onProgress: (d, t) => {
        bar.update(d, t);
        void prepare();
      },
      // aigov's own one-line notices stand in for anything a provider's SDK would have printed.
      onWarning: (m) => {
        if (!o.quiet) o.err(`warning: ${m}`);
      },
    });
  } finally {
    bar.end();
    process.off('SIGINT', onSigint);
  }
  await recordEvidence(o, report, await prepare());
  // Files first: should one fail after all, stdout holds the error alone, as --json promises.
  if (opts.output) writeOutput('-o', opts.output, () => writeFileAtomic(resolve(opts.output!), `${render.renderReport(report, render.formatForFile(opts.output!), { ...o, color: false })}\n`));
  const summary = process.env.GITHUB_STEP_SUMMARY;
  if (summary) writeOutput('GITHUB_STEP_SUMMARY', summary, () => appendFileSync(summary, `${render.renderReport(report, 'markdown', o)}\n`));
  if (!o.quiet || format !== 'table') o.out(render.renderReport(report, format, o));
  else {
    // Quiet still names what failed the gate: an exit code alone sends people digging.
    const failing = renderFailingCases(report, o);
    if (failing) o.out(failing);
  }
  // After the report, so a refused --accept still leaves the results on screen.
  let accepted = new Set<string>();
  if (opts.accept?.length && !report.interrupted) {
    const result = acceptOutputs(ws, report, opts.accept);
    accepted = result.accepted;
    if (!o.quiet) o.err(`accepted ${result.accepted.size} case${result.accepted.size === 1 ? '' : 's'}: ${[...result.accepted].join(', ')}`);
  }
  return exitCodeOf(withoutAccepted(report, accepted));
}

/** Where the reports go is checked before any model is called: a bad path found afterwards wastes the run. */
function checkOutputs(output: string | undefined, summary: string | undefined): void {
  if (output !== undefined) {
    // Commander takes the next word as the value when it starts with "-" but is no known option: `-o -x.json`.
    if (output === '' || output.startsWith('-')) throw new UsageError(`-o needs a file name${output ? `, got the option "${output}"` : ''}`, { hint: output ? `for a file whose name starts with "-", write ./${output}` : 'for example -o report.json' });
    checkOutputPath({ path: output, label: '-o' });
    render.formatForFile(output);
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

interface Evidence {
  git: { commit: string | null; dirty: boolean };
  actor: string;
  store: Store;
}

async function prepareEvidence(ws: Workspace): Promise<Evidence | Error> {
  try {
    const [git, actor, store] = await Promise.all([gitState(ws.root), whoAmI(ws.root), openStore(ws.config?.value.store, ws.root)]);
    return { git, actor, store };
  } catch (err) {
    return err as Error;
  }
}

/** The results are evidence for promotion; failing to record them is worth a warning, not a failed gate. */
async function recordEvidence(o: Output, report: EvalReport, evidence: Evidence | Error): Promise<void> {
  if (evidence instanceof Error) {
    o.err(`warning: the results were not recorded in the run log: ${evidence.message}`);
    return;
  }
  try {
    // An interrupted run is no evidence of anything.
    if (!report.interrupted) await evidence.store.append(evalEvents(report, evidence.git, evidence.actor, new Date().toISOString()));
  } catch (err) {
    o.err(`warning: the results were not recorded in the run log: ${(err as Error).message}`);
  } finally {
    await evidence.store.close();
  }
}

async function changed(o: Output, ws: Workspace, ref: string): Promise<string[]> {
  const names = await changedSuites(ws, ref);
  if (!o.quiet) o.err(names.length ? `changed since ${ref}: ${names.join(', ')}` : `no suite changed since ${ref}: nothing to run`);
  return names;
}
