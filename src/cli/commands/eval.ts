import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DefineCommand } from './index.js';
import { positiveInt } from './parse-args.js';

export const defineEval: DefineCommand = (program, wrap) =>
  program
    .command('eval [suites...]')
    .description('run eval suites against locked models, diff against expected outputs, gate')
    .option('--replay', 'answer only from fixtures/ (no network, no API key)')
    .option('--record', 'call the models and write the answers to fixtures/')
    .option('--no-cache', 'bypass .aigov/cache')
    .option('--repeat <n>', 'samples per case (overrides the suites)', (v) => positiveInt(v))
    .option('--concurrency <n>', 'calls in flight at once', (v) => positiveInt(v))
    .option('--timeout <ms>', 'per call', (v) => positiveInt(v))
    .option('--retries <n>', 'retries on 429, 5xx, timeouts and resets', (v) => positiveInt(v, true))
    .option('--shard <i/n>', 'run a deterministic slice i of n, for CI matrices')
    .option('--unlocked', 'allow models not pinned in aigov.lock (local experiments; said loudly in the report)')
    .option('--format <format>', 'table, json, junit, markdown or github')
    .option('-o, --output <file>', 'also write a report (format from the extension)')
    .option('--accept <cases...>', 'write the observed output back as expect for these cases (id or suite/id)')
    .action(
      wrap(async (o, g, suites: string[], opts: EvalFlags) => {
        const [{ openWorkspace }, { runEval }, { parseShard }, { exitCodeOf }, render, { writeFileAtomic }, { workspaceEnv }, { UsageError }] = await Promise.all([
          import('../../app/workspace.js'),
          import('../../app/eval.js'),
          import('../../core/eval/plan.js'),
          import('../../core/eval/report.js'),
          import('../render/report.js'),
          import('../../fs/atomic.js'),
          import('../../app/read-workspace.js'),
          import('../../errors.js'),
        ]);
        if (opts.replay && opts.record) throw new UsageError('--replay and --record cannot be used together');
        const format = opts.format ? render.checkFormat(opts.format) : o.json ? 'json' : 'table';
        const ws = openWorkspace({ root: g.root });
        // Which commit and who: asked now, while the calls run, and true of what was evaluated.
        const facts = evidenceFacts(ws.root);
        const { progressBar } = await import('../progress.js');
        const bar = progressBar(o, 'eval');
        const controller = new AbortController();
        const onSigint = (): void => {
          if (controller.signal.aborted) process.exit(130);
          controller.abort();
          o.err('\ninterrupted: finishing nothing new; press Ctrl-C again to quit at once');
        };
        process.on('SIGINT', onSigint);
        let report;
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
          const { acceptOutputs } = await import('../../app/accept.js');
          const result = acceptOutputs(ws, report, opts.accept);
          accepted = result.accepted;
          if (!o.quiet) o.err(`accepted ${result.accepted.size} case${result.accepted.size === 1 ? '' : 's'}: ${[...result.accepted].join(', ')}`);
        }
        if (!o.quiet || format !== 'table') o.out(render.renderReport(report, format, o));
        if (opts.output) writeFileAtomic(resolve(opts.output), `${render.renderReport(report, render.formatForFile(opts.output), { ...o, color: false })}\n`);
        if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${render.renderReport(report, 'markdown', o)}\n`);
        return exitCodeOf(withoutAccepted(report, accepted));
      }),
    );

interface EvalFlags {
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

type Report = import('../../core/eval/report.js').EvalReport;

/** Accepted cases now pass by definition: their new expect is what was observed. */
function withoutAccepted(report: Report, accepted: ReadonlySet<string>): Report {
  if (!accepted.size) return report;
  const totals = { ...report.totals };
  for (const s of report.suites) for (const c of s.cases) if (accepted.has(`${s.suite}/${c.id}`) && c.status === 'fail') totals.failed--;
  return { ...report, totals };
}

type Facts = { git: { commit: string | null; dirty: boolean }; actor: string };

async function evidenceFacts(root: string): Promise<Facts> {
  const [{ gitState }, { whoAmI }] = await Promise.all([import('../../app/git.js'), import('../../app/identity.js')]);
  const [git, actor] = await Promise.all([gitState(root), whoAmI(root)]);
  return { git, actor };
}

/** The results are evidence for promotion; failing to record them is worth a warning, not a failed gate. */
async function recordEvidence(o: import('../output.js').Output, ws: import('../../core/workspace/workspace.js').Workspace, report: Report, facts: Facts): Promise<void> {
  const { evalEvents, recordEvents } = await import('../../app/evidence.js');
  try {
    await recordEvents(ws, evalEvents(report, facts.git, facts.actor, new Date().toISOString()));
  } catch (err) {
    o.err(`warning: the results were not recorded in the run log: ${(err as Error).message}`);
  }
}
