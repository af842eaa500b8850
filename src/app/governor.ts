// The library: every production run as a logged transaction, with the tier enforced.
import { ProviderError, UsageError, InvalidWorkspaceError } from '../errors.js';
import { extractConfidence } from '../core/confidence.js';
import { auditSampled } from '../core/tiers/audit-sample.js';
import { callerConfidence, dispositionOf, isConfidence } from '../core/tiers/disposition.js';
import { checkInputKey, inputFingerprint, redactInput } from '../core/log/input-privacy.js';
import type { Disposition, Impact, LoggedEvent, NewEvent } from '../core/log/events.js';
import { RUN_ENDS } from '../core/log/run-state.js';
import { costUsd, sumTokens } from '../core/pricing.js';
import { providerSettings, runDefaults } from '../core/providers-config.js';
import { confidenceSamples, renderRequest } from '../core/render.js';
import { hasErrors, type Workspace } from '../core/workspace/workspace.js';
import type { ModelGateway } from '../providers/gateway.js';
import type { ModelResponse } from '../providers/types.js';
import type { EventQuery, Store } from '../store/types.js';
import { actOn } from './act.js';
import { createContext, type Context } from './context.js';
import { checkImpact } from './impacts.js';
import { checkVars, runnable, type Runnable } from './runnable.js';
import { checkServed } from './served-run.js';
import { workspaceEnv } from './read-workspace.js';
import { openWorkspace } from './workspace.js';

export interface Run {
  id: string;
  automation: string;
  tier: 1 | 2 | 3;
  /** The model's answer as text. */
  output: string;
  /** The answer parsed as JSON for JSON prompts, else the text. */
  value: unknown;
  confidence: number | null;
  confidenceSource: string;
  disposition: Disposition;
  /**
   * Also queued for audit (`review.sample`): an auto run a person grades after
   * the fact. It is acted on as usual; `act` does not wait for the grade.
   */
  audit: boolean;
  prompt: { id: string; version: number; sha256: string };
  model: { requested: string; resolved: string; returned: string | null };
  tokens: { input: number; output: number };
  costUsd: number | null;
  durationMs: number;
}

export interface RunOptions {
  triggeredBy?: string;
  signal?: AbortSignal;
}

export interface GovernorOptions {
  root?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** `replay` answers from fixtures/ (tests, demos); production is `live`. */
  mode?: 'live' | 'replay';
  /** Another store than aigov.yaml's: a store URL (opened and closed by the governor), or an open store (the caller closes it). */
  store?: string | Store;
  actor?: string;
  /** The clock (shorthand for `context.clock`). */
  now?: () => Date;
  onWarning?: (message: string) => void;
  /**
   * What the governor reads of the world outside its files (see app/context.ts):
   * any part given replaces the default, e.g. a fixed `clock`, `ids` and `env`
   * in a test. `now`, `env` and `cwd` above win over their parts here.
   */
  context?: Partial<Context>;
}

export interface RunHandle {
  id: string;
  /** `confidence` must be a finite number in 0..1, or null/absent for none (then the run goes to review). */
  finish(result: { output: unknown; confidence?: number | null; tokens?: { input: number; output: number }; costUsd?: number | null; modelReturned?: string | null }): Promise<Run>;
  fail(error: unknown): Promise<void>;
}

/**
 * What the governor lets its caller see of the run log: reads only. Appending
 * goes through run, start, act and tag, which enforce the tier; nothing
 * reachable from a Governor can append a review decision or an action of its own.
 */
export interface RunReader {
  /** Every event of one run, in order. */
  events(runId: string): Promise<LoggedEvent[]>;
  query(q: EventQuery): Promise<LoggedEvent[]>;
}


export async function openGovernor(opts: GovernorOptions = {}): Promise<Governor> {
  const ctx = governorContext(opts);
  const ws = openWorkspace({ root: opts.root, cwd: ctx.cwd, env: ctx.env });
  if (hasErrors(ws)) throw new InvalidWorkspaceError(ws.problems);
  const env = workspaceEnv(ws.root, ctx.env);
  const inputKey = checkInputKey(env.AIGOV_INPUT_KEY);
  const store = typeof opts.store === 'object' ? opts.store : await ctx.openStore(opts.store ?? ws.config!.value.store, ws.root);
  const d = runDefaults(ws.config!.value);
  const gateway = await ctx.gateway({
    root: ws.root,
    providers: providerSettings(ws.config!.value, ws.root),
    env,
    mode: opts.mode ?? 'live',
    cache: false,
    retries: d.retries,
    timeoutMs: d.timeoutMs,
  });
  return new Governor(ws, store, gateway, { ...opts, inputKey });
}

export class Governor {
  /** Read-only: see RunReader. */
  readonly runs: RunReader;
  // Truly private (#), not just to the type checker: nothing on the object leads to the store.
  readonly #workspace: Workspace;
  readonly #store: Store;
  readonly #ownsStore: boolean;
  readonly #gateway: ModelGateway;
  readonly #actor: string;
  readonly #inputKey: string | undefined;
  readonly #now: () => Date;
  readonly #ids: () => string;
  readonly #timer: () => number;
  readonly #warn: (m: string) => void;

  constructor(workspace: Workspace, store: Store, gateway: ModelGateway, opts: GovernorOptions & { inputKey?: string } = {}) {
    this.#workspace = workspace;
    this.#store = store;
    this.#ownsStore = typeof opts.store !== 'object';
    this.#gateway = gateway;
    this.#actor = opts.actor ?? 'aigov-library';
    this.#inputKey = opts.inputKey;
    const ctx = governorContext(opts);
    this.#now = ctx.clock;
    this.#ids = ctx.ids;
    this.#timer = ctx.timer;
    this.#warn = opts.onWarning ?? ((m) => process.emitWarning(m, 'AigovWarning'));
    this.runs = Object.freeze({
      events: (runId: string) => store.query({ runId, order: 'asc' }),
      query: (q: EventQuery) => store.query(q),
    });
  }

  /** Renders the locked prompt, calls the locked model, logs start and end, and decides the disposition. */
  async run(automationId: string, vars: Record<string, unknown>, opts: RunOptions = {}): Promise<Run> {
    const r = runnable(this.#workspace, automationId);
    checkVars(r.prompt, vars);
    const id = this.#ids();
    const t0 = this.#timer();
    await this.#append([this.#startedEvent(r, id, vars, opts.triggeredBy)]);
    const request = renderRequest(r.prompt, vars);
    let responses: ModelResponse[];
    try {
      responses = await Promise.all(
        Array.from({ length: confidenceSamples(r.prompt) }, (_, sample) =>
          this.#gateway.call({ provider: r.model.provider, model: r.model.id, request, sample, group: r.prompt.id, signal: opts.signal }).then((x) => x.response),
        ),
      );
    } catch (err) {
      await this.#append([this.#failedEvent(r, id, vars, err, this.#timer() - t0)], id);
      throw err;
    }
    const confidence = extractConfidence(r.prompt.output.confidence, responses);
    const tokens = responses.reduce((t, x) => ({ input: t.input + x.tokens.input, output: t.output + x.tokens.output }), { input: 0, output: 0 });
    const first = responses[0];
    const served = checkServed({ ...r, locked: this.#workspace.lock!.value.models[r.model.name] }, responses.map((x) => x.modelReturned), { runId: id, actor: this.#actor });
    if (served.warning) this.#warn(served.warning);
    return this.#finishRun(r, id, served.events, {
      output: confidence.output,
      confidence: confidence.value,
      confidenceSource: confidence.source,
      modelReturned: first.modelReturned,
      systemFingerprint: first.systemFingerprint,
      tokens,
      costUsd: costUsd(this.#workspace.config!.value, r.model.provider, r.model.id, sumTokens(responses.map((x) => x.tokens))),
      durationMs: Math.round(this.#timer() - t0),
      truncated: responses.some((x) => x.truncated === true),
    }, served.review);
  }

  /** For automations that call models their own way: the same log, started now, finished or failed later. */
  async start(automationId: string, input: Record<string, unknown>, opts: RunOptions = {}): Promise<RunHandle> {
    const r = runnable(this.#workspace, automationId);
    const id = this.#ids();
    const t0 = this.#timer();
    await this.#append([this.#startedEvent(r, id, input, opts.triggeredBy)]);
    let ended = false;
    const open = (): void => {
      if (ended) throw new UsageError(`run ${id} has already ended`);
    };
    const end = (): void => {
      open();
      ended = true;
    };
    return {
      id,
      finish: async (res) => {
        open();
        if (!res || typeof res !== 'object') throw new UsageError('finish needs { output, confidence?, tokens?, costUsd?, modelReturned? }');
        // Checked before the handle ends, so a caller can correct it and finish (or fail) after all.
        const confidence = callerConfidence(res?.confidence);
        end();
        const output = typeof res.output === 'string' ? res.output : JSON.stringify(res.output);
        const tokens = res.tokens ?? { input: 0, output: 0 };
        return this.#finishRun(r, id, [], {
          output,
          confidence,
          confidenceSource: confidence === null ? 'none' : 'caller',
          modelReturned: res.modelReturned ?? null,
          systemFingerprint: null,
          tokens,
          costUsd: res.costUsd ?? costUsd(this.#workspace.config!.value, r.model.provider, r.model.id, tokens),
          durationMs: Math.round(this.#timer() - t0),
        });
      },
      fail: async (error) => {
        end();
        await this.#append([this.#failedEvent(r, id, input, error, this.#timer() - t0)], id);
      },
    };
  }

  /**
   * Acts on a run, as its tier allows: refused while a person still has to
   * decide, and once the run was acted on. A transaction in the run log (see act.ts).
   */
  async act<T>(run: Run | string, fn: (output: unknown) => T | Promise<T>, opts: { impacts: Impact[] }): Promise<T> {
    const runId = typeof run === 'string' ? run : run?.id;
    if (typeof runId !== 'string' || runId === '') throw new UsageError('act needs a run or its id');
    return actOn({ store: this.#store, workspace: this.#workspace, actor: this.#actor, now: this.#now, warn: this.#warn }, runId, fn, opts);
  }

  /** Tags a run with a downstream impact after the fact, so a failure there traces back to it. */
  async tag(runId: string, impact: Impact): Promise<void> {
    const started = (await this.#store.query({ runId, types: ['run_started'] }))[0];
    if (!started) throw new UsageError(`unknown run ${runId}`);
    const automation = this.#workspace.automations.get(started.automation ?? '')?.value;
    const i = checkImpact(started.automation ?? '', automation ? automation.downstream : null, impact);
    await this.#append([{ type: 'impact_tagged', automation: started.automation, runId, actor: this.#actor, data: { system: i.system, ref: i.ref ?? null, action: i.action ?? null } }]);
  }

  /** Closes the store, unless the caller passed an open one in: then it is the caller's to close. */
  async close(): Promise<void> {
    if (this.#ownsStore) await this.#store.close();
  }

  /** With `endOf`, the append is a run's end, refused (ConflictError) if the run already ended: a person may have closed it. */
  async #append(events: NewEvent[], endOf?: string): Promise<void> {
    const at = this.#now().toISOString();
    await this.#store.append(
      events.map((e) => ({ ...e, at: e.at ?? at })),
      endOf ? { expect: { runId: endOf, types: RUN_ENDS, lastSeq: null } } : undefined,
    );
  }

  #startedEvent(r: Runnable, id: string, input: Record<string, unknown>, triggeredBy?: string): NewEvent {
    const data: Record<string, unknown> = {
      // Keyed where AIGOV_INPUT_KEY is set: a plain hash of a short input can be guessed back.
      inputFingerprint: inputFingerprint(input, this.#inputKey),
      triggeredBy: triggeredBy ?? null,
      tier: r.automation.tier,
      prompt: { id: r.prompt.id, version: r.prompt.version, sha256: r.promptSha256 },
      model: { requested: r.model.requested, resolved: r.model.resolved },
    };
    if (r.automation.logInputs) data.input = input;
    return { type: 'run_started', automation: r.automation.id, runId: id, actor: this.#actor, data };
  }

  /** Where inputs are not logged, neither is an error message that quotes them. */
  #failedEvent(r: Runnable, runId: string, input: Record<string, unknown>, err: unknown, durationMs: number): NewEvent {
    const type = err instanceof ProviderError ? err.kind : err instanceof Error ? err.name : 'error';
    const raw = err instanceof Error ? err.message : String(err);
    const message = r.automation.logInputs ? raw : redactInput(raw, input);
    return { type: 'run_failed', automation: r.automation.id, runId, actor: this.#actor, data: { error: { type, message }, durationMs: Math.round(durationMs) } };
  }

  async #finishRun(r: Runnable, id: string, before: NewEvent[], f: { output: string; confidence: number | null; confidenceSource: string; modelReturned: string | null; systemFingerprint: string | null; tokens: { input: number; output: number }; costUsd: number | null; durationMs: number; truncated?: boolean }, review = false): Promise<Run> {
    // Whatever produced it, a confidence outside 0..1 (NaN from a broken logprob, say) is no confidence.
    const confidence = isConfidence(f.confidence) ? f.confidence : null;
    // An answer from another model than the lock's `served` goes to review whatever the tier (see served-run.ts).
    const disposition = review ? 'review' : dispositionOf(r.automation.tier, confidence, r.automation.confidence?.threshold);
    // Chosen by the id aigov generated for this run, so no retry or input can steer it.
    const audit = auditSampled(id, disposition, r.automation.review?.sample);
    await this.#append([...before, { type: 'run_finished', automation: r.automation.id, runId: id, actor: this.#actor, data: { ...f, confidence, disposition, ...(audit ? { audit } : {}) } }], id);
    return {
      id,
      automation: r.automation.id,
      tier: r.automation.tier,
      output: f.output,
      value: r.prompt.output.type === 'json' ? parseOrText(f.output) : f.output,
      confidence,
      confidenceSource: f.confidenceSource,
      disposition,
      audit,
      prompt: { id: r.prompt.id, version: r.prompt.version, sha256: r.promptSha256 },
      model: { requested: r.model.requested, resolved: r.model.resolved, returned: f.modelReturned },
      tokens: f.tokens,
      costUsd: f.costUsd,
      durationMs: f.durationMs,
    };
  }
}

/** The options' context: its parts, with `now`, `env` and `cwd` over them. */
function governorContext(opts: GovernorOptions): Context {
  return createContext({ ...opts.context, ...(opts.now ? { clock: opts.now } : {}), ...(opts.env ? { env: opts.env } : {}), ...(opts.cwd ? { cwd: opts.cwd } : {}) });
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
