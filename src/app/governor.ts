// The library: every production run as a logged transaction, with the tier enforced.
import { ProviderError, TierError, UsageError, InvalidWorkspaceError } from '../errors.js';
import { hashOf } from '../core/canonical.js';
import { extractConfidence } from '../core/confidence.js';
import { dispositionOf } from '../core/disposition.js';
import { parseDuration } from '../core/duration.js';
import { runState } from '../core/log/run-state.js';
import type { Disposition, Impact, NewEvent } from '../core/log/events.js';
import { costUsd, sumTokens } from '../core/pricing.js';
import { providerSettings, runDefaults } from '../core/providers-config.js';
import { confidenceSamples, renderRequest } from '../core/render.js';
import { didYouMean } from '../core/suggest.js';
import { hasErrors, type Workspace } from '../core/workspace/workspace.js';
import { createGateway, type ModelGateway } from '../providers/gateway.js';
import type { ModelResponse } from '../providers/types.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { uuidv7 } from './ids.js';
import { describeFailure, runJsonCommand } from './run-command.js';
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
  /** Another store than aigov.yaml's (tests). */
  store?: Store;
  actor?: string;
  now?: () => Date;
  onWarning?: (message: string) => void;
}

export interface RunHandle {
  id: string;
  finish(result: { output: unknown; confidence?: number | null; tokens?: { input: number; output: number }; costUsd?: number | null; modelReturned?: string | null }): Promise<Run>;
  fail(error: unknown): Promise<void>;
}

export async function openGovernor(opts: GovernorOptions = {}): Promise<Governor> {
  const ws = openWorkspace({ root: opts.root, cwd: opts.cwd, env: opts.env });
  if (hasErrors(ws)) throw new InvalidWorkspaceError(ws.problems);
  const store = opts.store ?? (await openStore(ws.config!.value.store, ws.root));
  const d = runDefaults(ws.config!.value);
  const gateway = createGateway({
    root: ws.root,
    providers: providerSettings(ws.config!.value, ws.root),
    env: workspaceEnv(ws.root, opts.env),
    mode: opts.mode ?? 'live',
    cache: false,
    retries: d.retries,
    timeoutMs: d.timeoutMs,
  });
  return new Governor(ws, store, gateway, opts);
}

export class Governor {
  private readonly now: () => Date;
  private readonly warn: (m: string) => void;

  constructor(
    readonly workspace: Workspace,
    readonly store: Store,
    private readonly gateway: ModelGateway,
    private readonly opts: GovernorOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.warn = opts.onWarning ?? ((m) => process.emitWarning(m, 'AigovWarning'));
  }

  /** Renders the locked prompt, calls the locked model, logs start and end, and decides the disposition. */
  async run(automationId: string, vars: Record<string, unknown>, opts: RunOptions = {}): Promise<Run> {
    const r = runnable(this.workspace, automationId);
    checkVars(r.prompt, vars);
    const id = uuidv7(this.now().getTime());
    const t0 = performance.now();
    await this.append([this.startedEvent(r, id, vars, opts.triggeredBy)]);
    const request = renderRequest(r.prompt, vars);
    let responses: ModelResponse[];
    try {
      responses = await Promise.all(
        Array.from({ length: confidenceSamples(r.prompt) }, (_, sample) =>
          this.gateway.call({ provider: r.model.provider, model: r.model.id, request, sample, group: r.prompt.id, signal: opts.signal }).then((x) => x.response),
        ),
      );
    } catch (err) {
      await this.append([failedEvent(r.automation.id, id, err, performance.now() - t0, this.actor)]);
      throw err;
    }
    const confidence = extractConfidence(r.prompt.output.confidence, responses);
    const tokens = responses.reduce((t, x) => ({ input: t.input + x.tokens.input, output: t.output + x.tokens.output }), { input: 0, output: 0 });
    const first = responses[0];
    const served = checkServed({ ...r, locked: this.workspace.lock!.value.models[r.model.name] }, responses.map((x) => x.modelReturned), { runId: id, actor: this.actor });
    if (served.warning) this.warn(served.warning);
    return this.finishRun(r, id, served.events, {
      output: confidence.output,
      confidence: confidence.value,
      confidenceSource: confidence.source,
      modelReturned: first.modelReturned,
      systemFingerprint: first.systemFingerprint,
      tokens,
      costUsd: costUsd(this.workspace.config!.value, r.model.provider, r.model.id, sumTokens(responses.map((x) => x.tokens))),
      durationMs: Math.round(performance.now() - t0),
      truncated: responses.some((x) => x.truncated === true),
    }, served.review);
  }

  /** For automations that call models their own way: the same log, started now, finished or failed later. */
  async start(automationId: string, input: Record<string, unknown>, opts: RunOptions = {}): Promise<RunHandle> {
    const r = runnable(this.workspace, automationId);
    const id = uuidv7(this.now().getTime());
    const t0 = performance.now();
    await this.append([this.startedEvent(r, id, input, opts.triggeredBy)]);
    let ended = false;
    const end = (): void => {
      if (ended) throw new UsageError(`run ${id} has already ended`);
      ended = true;
    };
    return {
      id,
      finish: async (res) => {
        end();
        const output = typeof res.output === 'string' ? res.output : JSON.stringify(res.output);
        const tokens = res.tokens ?? { input: 0, output: 0 };
        return this.finishRun(r, id, [], {
          output,
          confidence: res.confidence ?? null,
          confidenceSource: res.confidence === undefined || res.confidence === null ? 'none' : 'caller',
          modelReturned: res.modelReturned ?? null,
          systemFingerprint: null,
          tokens,
          costUsd: res.costUsd ?? costUsd(this.workspace.config!.value, r.model.provider, r.model.id, tokens),
          durationMs: Math.round(performance.now() - t0),
        });
      },
      fail: async (error) => {
        end();
        await this.append([failedEvent(r.automation.id, id, error, performance.now() - t0, this.actor)]);
      },
    };
  }

  /** Acts on a run, as its tier allows: refused while a person still has to decide. */
  async act<T>(run: Run | string, fn: (output: unknown) => T | Promise<T>, opts: { impacts: Impact[] }): Promise<T> {
    const runId = typeof run === 'string' ? run : run.id;
    const state = runState(runId, await this.store.query({ runId }));
    if (!state.started) throw new UsageError(`unknown run ${runId}`);
    if (!state.finished) throw new TierError('E_RUN_NOT_FINISHED', `run ${runId} has not finished successfully; there is nothing to act on`);
    if (state.rejected) throw new TierError('E_REJECTED', `run ${runId} was rejected in review; it must not be acted on`);
    if (state.awaiting === 'review') throw new TierError('E_AWAITING_REVIEW', `run ${runId} is waiting in the review queue (low confidence)`, { hint: `aigov review approve ${runId}` });
    if (state.awaiting === 'approval') throw new TierError('E_APPROVAL_REQUIRED', `run ${runId} is tier 1: a person must approve it before any action`, { hint: `aigov review approve ${runId}` });
    const automation = this.workspace.automations.get(state.automation ?? '')?.value;
    if (!automation) throw new UsageError(`run ${runId} belongs to automation "${state.automation}", which is not in this workspace`);
    this.checkImpacts(automation.id, automation.downstream, opts.impacts);
    const tier = state.started.data.tier as 1 | 2 | 3;
    // What a reviewer overrode is what gets acted on.
    const output = state.output;
    const isJson = this.workspace.prompts.get(automation.prompt)?.value.output.type === 'json';
    const result = await fn(isJson && typeof output === 'string' ? parseOrText(output) : output);
    const data: Record<string, unknown> = { impacts: opts.impacts, notified: false };
    if (tier === 2 && automation.reversal) data.reversibleUntil = new Date(this.now().getTime() + parseDuration(automation.reversal.window)).toISOString();
    if (tier === 2 && automation.notify) {
      const notice = await runJsonCommand(automation.notify.command, { automation: automation.id, runId, impacts: opts.impacts, output, reversibleUntil: data.reversibleUntil }, { cwd: this.workspace.root });
      data.notified = notice.ok;
      if (!notice.ok) this.warn(`${automation.id}: the notify command failed (${describeFailure(notice)})`);
    }
    await this.append([{ type: 'action_taken', automation: automation.id, runId, actor: this.actor, data }]);
    return result;
  }

  /** Tags a run with a downstream impact after the fact, so a failure there traces back to it. */
  async tag(runId: string, impact: Impact): Promise<void> {
    const started = (await this.store.query({ runId, types: ['run_started'] }))[0];
    if (!started) throw new UsageError(`unknown run ${runId}`);
    const automation = this.workspace.automations.get(started.automation ?? '')?.value;
    if (automation) this.checkImpacts(automation.id, automation.downstream, [impact]);
    await this.append([{ type: 'impact_tagged', automation: started.automation, runId, actor: this.actor, data: { system: impact.system, ref: impact.ref ?? null, action: impact.action ?? null } }]);
  }

  /** Closes the store, unless the caller passed one in: then it is the caller's to close. */
  async close(): Promise<void> {
    if (!this.opts.store) await this.store.close();
  }

  private get actor(): string {
    return this.opts.actor ?? 'aigov-library';
  }

  private async append(events: NewEvent[]): Promise<void> {
    await this.store.append(events.map((e) => ({ ...e, at: e.at ?? this.now().toISOString() })));
  }

  private startedEvent(r: Runnable, id: string, input: Record<string, unknown>, triggeredBy?: string): NewEvent {
    const data: Record<string, unknown> = {
      inputSha256: hashOf(input),
      triggeredBy: triggeredBy ?? null,
      tier: r.automation.tier,
      prompt: { id: r.prompt.id, version: r.prompt.version, sha256: r.promptSha256 },
      model: { requested: r.model.requested, resolved: r.model.resolved },
    };
    if (r.automation.logInputs) data.input = input;
    return { type: 'run_started', automation: r.automation.id, runId: id, actor: this.actor, data };
  }

  private async finishRun(r: Runnable, id: string, before: NewEvent[], f: { output: string; confidence: number | null; confidenceSource: string; modelReturned: string | null; systemFingerprint: string | null; tokens: { input: number; output: number }; costUsd: number | null; durationMs: number; truncated?: boolean }, review = false): Promise<Run> {
    const disposition = review ? 'review' : dispositionOf(r.automation.tier, f.confidence, r.automation.confidence?.threshold);
    await this.append([...before, { type: 'run_finished', automation: r.automation.id, runId: id, actor: this.actor, data: { ...f, disposition } }]);
    return {
      id,
      automation: r.automation.id,
      tier: r.automation.tier,
      output: f.output,
      value: r.prompt.output.type === 'json' ? parseOrText(f.output) : f.output,
      confidence: f.confidence,
      confidenceSource: f.confidenceSource,
      disposition,
      prompt: { id: r.prompt.id, version: r.prompt.version, sha256: r.promptSha256 },
      model: { requested: r.model.requested, resolved: r.model.resolved, returned: f.modelReturned },
      tokens: f.tokens,
      costUsd: f.costUsd,
      durationMs: f.durationMs,
    };
  }

  private checkImpacts(automation: string, downstream: readonly string[], impacts: readonly Impact[]): void {
    for (const i of impacts) {
      if (!downstream.includes(i.system)) {
        throw new UsageError(`automation "${automation}" may not touch "${i.system}": it is not in its downstream list`, { hint: didYouMean(i.system, downstream) ?? `add it to downstream: in automations/${automation}.yaml` });
      }
    }
  }
}

function failedEvent(automation: string, runId: string, err: unknown, durationMs: number, actor: string): NewEvent {
  const type = err instanceof ProviderError ? err.kind : err instanceof Error ? err.name : 'error';
  const message = err instanceof Error ? err.message : String(err);
  return { type: 'run_failed', automation, runId, actor, data: { error: { type, message }, durationMs: Math.round(durationMs) } };
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
