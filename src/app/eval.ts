// `aigov eval`: plan, call, assert, report. The CLI and CI gate are thin clients of this.
import { setMaxListeners } from 'node:events';
import { AigovError, asInternal, InternalError, InterruptedError, InvalidWorkspaceError, ProviderError } from '../errors.js';
import { classifyThrown } from '../fs/file-errors.js';
import { evaluateAssertion } from '../core/eval/assertions/index.js';
import { planEval, type PlanOptions, type PlannedCase, type PlannedModel, type PlannedSuite } from '../core/eval/plan.js';
import { caseStatus, mergeTotals, REPORT_VERSION, suiteTotals, type CaseResult, type EvalReport, type SampleResult, type SuiteResult } from '../core/eval/report.js';
import { returnedIds, tallyMismatches, type ReportedAnswer } from '../core/eval/served-check.js';
import { sha256 } from '../core/canonical.js';
import { expectedServed } from '../core/lock/served.js';
import { costUsd } from '../core/pricing.js';
import { providerSettings, runDefaults } from '../core/providers-config.js';
import { renderRequest } from '../core/render.js';
import { unpricedCostLimits } from '../core/workspace/rules-pricing.js';
import { hasErrors, type Workspace } from '../core/workspace/workspace.js';
import type { MoreFixtures } from '../providers/cassette.js';
import { createGateway, type ModelGateway } from '../providers/gateway.js';
import { createJudge, type Judge } from './judge.js';
import { runPool } from './pool.js';

export interface EvalOptions extends PlanOptions {
  mode?: 'live' | 'replay' | 'record';
  cache?: boolean;
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** aigov's own notices from the providers (a deprecated model, a refused schema). */
  onWarning?: (message: string) => void;
  /** Recordings for --replay beyond the working tree's fixtures/ (`--baseline` adds those at its ref). */
  moreFixtures?: MoreFixtures;
  /** For tests and for `pin --upgrade`: a gateway other than the workspace's own. */
  gateway?: ModelGateway;
  now?: () => number;
}

interface Task {
  suite: PlannedSuite;
  planned: PlannedCase;
  sample: number;
  result?: SampleResult;
  /** The model every answer of this task reported (its own, and its judges'), for the served check. */
  answers: ReportedAnswer[];
  /** In flight when the run was interrupted: no result, and no error either. */
  interrupted?: boolean;
  startedAt?: number;
  endedAt?: number;
}

export async function runEval(ws: Workspace, opts: EvalOptions = {}): Promise<EvalReport> {
  if (hasErrors(ws)) throw new InvalidWorkspaceError(ws.problems);
  const now = opts.now ?? Date.now;
  const started = now();
  const config = ws.config!.value;
  const defaults = runDefaults(config);
  const mode = opts.mode ?? 'live';
  const plan = planEval(ws, opts);
  const concurrency = opts.concurrency ?? defaults.concurrency;
  // Validation priced the locked snapshots; a run may be on another (--unlocked, a `pin --upgrade` candidate).
  const unpriced = unpricedCostLimits(ws, plan.suites.map((s) => ({ suite: s.suite.suite, provider: s.model.provider, model: s.model.id })));
  if (unpriced.length) throw new InvalidWorkspaceError(unpriced);
  const gateway =
    opts.gateway ??
    createGateway({
      root: ws.root,
      providers: providerSettings(config, ws.root),
      env: opts.env ?? process.env,
      mode,
      cache: opts.cache ?? true,
      retries: opts.retries ?? defaults.retries,
      timeoutMs: opts.timeoutMs ?? defaults.timeoutMs,
      connections: concurrency,
      onWarning: opts.onWarning,
      moreFixtures: opts.moreFixtures,
    });
  // A bug in aigov stops the run at once: no new call starts, and those in flight are cancelled.
  const halt = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, halt.signal]) : halt.signal;
  const judge = createJudge(gateway, plan.models, { signal });
  // Each suite's tasks in plan order (case by case, a case's samples together), so its results are read back in one pass.
  const bySuite: Task[][] = plan.suites.map((suite) => {
    const list: Task[] = [];
    for (const planned of suite.cases) for (let sample = 0; sample < planned.samples; sample++) list.push({ suite, planned, sample, answers: [] });
    return list;
  });
  const tasks: Task[] = bySuite.flat();
  // One check per provider before anything is sent, instead of one "key not set" per case.
  if (tasks.length) gateway.checkKeys?.([...plan.models.values()].map((m) => m.provider), "export it or put it in the workspace's .env; `aigov eval --replay` needs no key");
  const served = servedCheck(ws);

  // Every call in flight listens to the caller's signal; that many listeners is by design.
  if (opts.signal) setMaxListeners(4 * concurrency + 10, opts.signal);
  setMaxListeners(4 * concurrency + 10, signal);
  let done = 0;
  await runPool(
    tasks,
    concurrency,
    async (task) => {
      task.startedAt = now();
      let result: SampleResult | typeof INTERRUPTED;
      try {
        result = await runSample(task, gateway, judge, config, served, signal, opts.signal);
      } catch (err) {
        halt.abort(err);
        throw err;
      }
      task.endedAt = now();
      if (result === INTERRUPTED) task.interrupted = true;
      else task.result = result;
      opts.onProgress?.(++done, tasks.length);
    },
    signal,
  );
  await gateway.flush();
  const interrupted = !!opts.signal?.aborted;

  const suites = plan.suites.map((s, i) => suiteResult(s, bySuite[i], served));
  const durationMs = now() - started;
  return {
    version: REPORT_VERSION,
    startedAt: new Date(started).toISOString(),
    durationMs,
    mode,
    unlocked: plan.suites.some((s) => !s.model.locked),
    interrupted,
    shard: opts.shard,
    lockSha256: ws.lock ? sha256(ws.lock.source.text) : null,
    warnings: warningsOf(plan.suites, ws),
    suites,
    totals: mergeTotals(suites, durationMs),
  };
}

const INTERRUPTED = Symbol('interrupted');

/** `interrupt` is the user's Ctrl-C alone; `signal` also stops calls when a bug halts the run. */
async function runSample(
  task: Task,
  gateway: ModelGateway,
  judge: Judge,
  config: NonNullable<Workspace['config']>['value'],
  served: (m: PlannedModel) => string | null,
  signal: AbortSignal,
  interrupt?: AbortSignal,
): Promise<SampleResult | typeof INTERRUPTED> {
  const { suite, planned, sample } = task;
  const request = renderRequest(suite.prompt, planned.case.vars);
  const t0 = Date.now();
  try {
    const { response, source } = await gateway
      .call({ provider: suite.model.provider, model: suite.model.id, request, sample, group: suite.prompt.id, signal })
      // An adapter reports a failed call as a ProviderError; a fixture it cannot read is the user's; anything else is a bug.
      .catch((err: unknown) => Promise.reject(classifyThrown(err, `the ${suite.model.provider} provider threw`)));
    task.answers.push({ model: suite.model.name, expected: served(suite.model), returned: response.modelReturned });
    const cost = costUsd(config, suite.model.provider, suite.model.id, response.tokens);
    const ctx = {
      outputType: suite.prompt.output.type,
      schema: suite.prompt.output.schema,
      latencyMs: response.latencyMs,
      costUsd: cost,
      model: suite.model.resolved,
      tokens: response.tokens,
      judge: (r: Parameters<Judge>[0]) =>
        judge(r, (m, res) => task.answers.push({ model: m.name, expected: served(m), returned: res.modelReturned })).catch((err: unknown) =>
          Promise.reject(classifyThrown(err, `the judge "${r.model}" threw`)),
        ),
    };
    const assertions = [];
    // A judge whose provider failed throws its ProviderError: the case is an error (exit 3), not a deviation (exit 1).
    for (const spec of planned.assertions) assertions.push(await evaluateAssertion(response.text, spec, ctx));
    return {
      sample,
      output: response.text,
      pass: assertions.every((a) => a.pass),
      assertions,
      tokens: response.tokens,
      costUsd: cost,
      latencyMs: response.latencyMs,
      source,
      modelReturned: response.modelReturned,
      ...(response.truncated ? { truncated: true } : {}),
    };
  } catch (err) {
    // A call or a judge cut off by Ctrl-C tells nothing about the provider or the prompt:
    // the sample did not finish, it did not fail.
    if (interrupt?.aborted) return INTERRUPTED;
    // A provider failure (or Ctrl-C) is the case's. Bad input (a broken fixture file) would
    // fail every case alike, and a bug is a bug: either stops the run, with its own code.
    if (!(err instanceof ProviderError) && !(err instanceof InterruptedError)) throw inCase(err, task);
    return {
      sample,
      error: { kind: err instanceof ProviderError ? err.kind : err.code, message: err.message },
      pass: false,
      assertions: [],
      tokens: { input: 0, output: 0 },
      costUsd: null,
      latencyMs: Date.now() - t0,
    };
  }
}

/** What stops the run; a bug with the case it happened in, so the report can be reproduced. */
function inCase(err: unknown, { suite, planned }: Task): AigovError {
  const where = `in case "${planned.case.id}" of suite "${suite.suite.suite}"`;
  return err instanceof InternalError ? new InternalError(`${where}, ${err.message}`, { cause: err.cause ?? err }) : asInternal(err, where);
}

/** The lock's `served` for a planned model; null for a model run --unlocked: the lock makes no claim about it. */
function servedCheck(ws: Workspace): (m: PlannedModel) => string | null {
  return (m) => {
    const locked = m.locked ? ws.lock?.value.models[m.name] : undefined;
    return locked ? expectedServed(locked) : null;
  };
}

/**
 * One suite's result from its tasks, in one pass: `mine` holds them in plan order, each
 * case's samples together. No spread over the tasks: a run may hold 100,000 of them.
 */
function suiteResult(s: PlannedSuite, mine: readonly Task[], served: (m: PlannedModel) => string | null): SuiteResult {
  let interrupted = 0;
  const cases: CaseResult[] = [];
  let at = 0;
  for (const planned of s.cases) {
    const results: SampleResult[] = [];
    let finished = true;
    for (const end = at + planned.samples; at < end; at++) {
      const r = mine[at].result;
      if (r) results.push(r);
      else finished = false;
    }
    // An interrupted run reports only cases whose every sample finished; the
    // others (in flight or never started) are counted, not judged.
    if (!finished) {
      interrupted++;
      continue;
    }
    if (!results.length) continue;
    const status = caseStatus(results, s.suite.passRate);
    // Lines point annotations and diffs at failures; passing cases need none.
    cases.push({ id: planned.case.id, line: status === 'pass' ? undefined : s.caseLine(planned.index), status, samples: results });
  }
  const answers: ReportedAnswer[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const t of mine) {
    if (t.endedAt === undefined) continue;
    for (const a of t.answers) answers.push(a);
    if (t.startedAt! < first) first = t.startedAt!;
    if (t.endedAt > last) last = t.endedAt;
  }
  const mismatch = tallyMismatches(answers);
  const returned = returnedIds(answers.filter((a) => a.model === s.model.name));
  const durationMs = Number.isFinite(first) ? last - first : 0;
  return {
    suite: s.suite.suite,
    file: s.file,
    prompt: { id: s.prompt.id, version: s.prompt.version, sha256: s.promptSha256, editedSinceLock: s.editedSinceLock },
    model: { name: s.model.name, requested: s.model.requested, resolved: s.model.resolved, locked: s.model.locked, served: served(s.model), returned },
    ...(mismatch.length ? { modelMismatch: mismatch } : {}),
    requiredPassRate: s.suite.passRate,
    outputType: s.prompt.output.type,
    cases,
    totals: suiteTotals(cases, durationMs, interrupted),
  };
}

function warningsOf(suites: readonly PlannedSuite[], ws: Workspace): string[] {
  const out: string[] = [];
  for (const s of suites) {
    if (!s.model.locked) out.push(`UNLOCKED: suite "${s.suite.suite}" ran against ${s.model.resolved}, which is not pinned in aigov.lock; this result is not evidence for a gate`);
    if (s.editedSinceLock && !ws.lock?.value.prompts[s.prompt.id]) out.push(`prompt "${s.prompt.id}" (version ${s.prompt.version}) is not locked yet; run \`aigov pin\` before merging`);
    else if (s.editedSinceLock) out.push(`prompt "${s.prompt.id}" (version ${s.prompt.version}) was edited since it was locked; bump its version and run \`aigov pin\` before merging`);
  }
  return out;
}
