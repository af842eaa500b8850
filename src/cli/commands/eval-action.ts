// `aigov eval` as the CLI runs it: flags in, one runEval, reports out, evidence recorded.
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { evalEvents, recordEvents } from '../../app/evidence.js';
import { acceptOutputs } from '../../app/accept.js';
import { runEval } from '../../app/eval.js';
import { gitState } from '../../app/git.js';
import { whoAmI } from '../../app/identity.js';
import { workspaceEnv } from '../../app/read-workspace.js';
import { openWorkspace } from '../../app/workspace.js';
import { parseShard } from '../../core/eval/plan.js';
import { exitCodeOf, type EvalReport } from '../../core/eval/report.js';
import type { Workspace } from '../../core/workspace/workspace.js';
import { UsageError, type ExitCode } from '../../errors.js';
import { writeFileAtomic } from '../../fs/atomic.js';
import type { GlobalOptions } from '../main.js';
import type { Output } from '../output.js';
import { progressBar } from '../progress.js';
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
}

export async function evalAction(o: Output, g: GlobalOptions, suites: string[], opts: EvalFlags): Promise<ExitCode> {
  if (opts.replay && opts.record) throw new UsageError('--replay and --record cannot be used together');
  const format = opts.format ? render.checkFormat(opts.format) : o.json ? 'json' : 'table';
  const ws = openWorkspace({ root: g.root });
  // Which commit and who: asked now, while the calls run, and true of what was evaluated.
  const facts = evidenceFacts(ws.root);
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
      suites,
      mode: opts.replay ? 'replay' : opts.record ? 'record' : 'live',
      cache: opts.cache,
      repeat: opts.repeat,
      concurrency: opts.concurrency,
      timeoutMs: opts.timeout,
      retries: opts.retries,
      shard: opts.shard ? parseShard(opts.shard) : undefined,
      unlocked: opts.unlocked,
      env: workspaceEnv(ws.root),
      signal: controller.signal,
      onProgress: (d, t) => bar.update(d, t),
    });
  } finally {
    bar.end();
    process.off('SIGINT', onSigint);
  }
  if (!report.interrupted) await recordEvidence(o, ws, report, await facts);
  let accepted = new Set<string>();
  if (opts.accept?.length && !report.interrupted) {
    const result = acceptOutputs(ws, report, opts.accept);
    accepted = result.accepted;
    if (!o.quiet) o.err(`accepted ${result.accepted.size} case${result.accepted.size === 1 ? '' : 's'}: ${[...result.accepted].join(', ')}`);
  }
  if (!o.quiet || format !== 'table') o.out(render.renderReport(report, format, o));
  if (opts.output) writeFileAtomic(resolve(opts.output), `${render.renderReport(report, render.formatForFile(opts.output), { ...o, color: false })}\n`);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${render.renderReport(report, 'markdown', o)}\n`);
  return exitCodeOf(withoutAccepted(report, accepted));
}

/** Accepted cases now pass by definition: their new expect is what was observed. */
function withoutAccepted(report: EvalReport, accepted: ReadonlySet<string>): EvalReport {
  if (!accepted.size) return report;
  const totals = { ...report.totals };
  for (const s of report.suites) for (const c of s.cases) if (accepted.has(`${s.suite}/${c.id}`) && c.status === 'fail') totals.failed--;
  return { ...report, totals };
}

interface Facts {
  git: { commit: string | null; dirty: boolean };
  actor: string;
}

async function evidenceFacts(root: string): Promise<Facts> {
  const [git, actor] = await Promise.all([gitState(root), whoAmI(root)]);
  return { git, actor };
}

/** The results are evidence for promotion; failing to record them is worth a warning, not a failed gate. */
async function recordEvidence(o: Output, ws: Workspace, report: EvalReport, facts: Facts): Promise<void> {
  try {
    await recordEvents(ws, evalEvents(report, facts.git, facts.actor, new Date().toISOString()));
  } catch (err) {
    o.err(`warning: the results were not recorded in the run log: ${(err as Error).message}`);
  }
}
