// Which cases to run, against which locked model, how many samples: decided before
// any call is made, so a bad suite name or an unlocked model stops everything. Pure.
import { GateError, UsageError } from '../../errors.js';
import { expectToAssertion } from './assertions/index.js';
import { isModelLocked } from '../lock/drift.js';
import { promptHash } from '../lock/prompt-hash.js';
import { splitModelRef } from '../lock/snapshots.js';
import { didYouMean } from '../suggest.js';
import { locate } from '../workspace/source.js';
import { MAX_REPEAT, type AssertionSpec, type EvalCase, type Prompt, type Suite } from '../workspace/schemas.js';
import type { Workspace } from '../workspace/workspace.js';

export interface PlannedModel {
  name: string;
  requested: string;
  resolved: string;
  provider: string;
  id: string;
  locked: boolean;
}

export interface PlannedCase {
  case: EvalCase;
  index: number;
  samples: number;
  assertions: AssertionSpec[];
}

export interface PlannedSuite {
  suite: Suite;
  file: string;
  /** The line of a case in the suite file. Finding it parses the file, so ask only for cases that need one. */
  caseLine(index: number): number;
  prompt: Prompt;
  promptSha256: string;
  editedSinceLock: boolean;
  model: PlannedModel;
  cases: PlannedCase[];
}

export interface PlanOptions {
  /** The suites to run; all when absent (an empty list runs none). */
  suites?: readonly string[];
  repeat?: number;
  /** Samples per case by suite, where `repeat` is not given (`--baseline` runs the base with the head's repeats). */
  repeats?: ReadonlyMap<string, number>;
  /** 1-based shard index and count. */
  shard?: { index: number; count: number };
  unlocked?: boolean;
}

/**
 * Every planned sample holds its request, its answer and its assertion results
 * until the report is written. 100,000 of them is some hundreds of MB at worst;
 * beyond that a run is better split with --shard than allowed to exhaust memory.
 */
export const MAX_PLANNED_SAMPLES = 100_000;

export function planEval(ws: Workspace, opts: PlanOptions = {}): { suites: PlannedSuite[]; models: Map<string, PlannedModel> } {
  if (opts.repeat !== undefined && !(Number.isInteger(opts.repeat) && opts.repeat >= 1 && opts.repeat <= MAX_REPEAT)) {
    throw new UsageError(`repeat ${opts.repeat}: expected a whole number from 1 to ${MAX_REPEAT}`, { hint: 'the same limit as a suite file\'s repeat' });
  }
  const names = opts.suites ? [...opts.suites] : [...ws.suites.keys()].sort();
  for (const n of names) {
    if (!ws.suites.has(n)) throw new UsageError(`unknown eval suite "${n}"`, { hint: didYouMean(n, ws.suites.keys()) ?? `suites: ${[...ws.suites.keys()].join(', ') || 'none'}` });
  }
  const models = new Map<string, PlannedModel>();
  const unlocked: string[] = [];
  const modelFor = (name: string): PlannedModel => {
    let m = models.get(name);
    if (m) return m;
    m = resolveModel(ws, name, !!opts.unlocked);
    if (!m.locked && !opts.unlocked) unlocked.push(name);
    models.set(name, m);
    return m;
  };
  let ordinal = 0;
  const suites: PlannedSuite[] = [];
  for (const name of names) {
    const { value: suite, source } = ws.suites.get(name)!;
    const prompt = ws.prompts.get(suite.prompt)!.value;
    const model = modelFor(prompt.model);
    const cases: PlannedCase[] = [];
    suite.cases.forEach((c, index) => {
      const mine = !opts.shard || ordinal % opts.shard.count === opts.shard.index - 1;
      ordinal++;
      if (!mine) return;
      const assertions = [...(c.expect !== undefined ? [expectToAssertion(c.expect, prompt.output.type)] : []), ...(c.assert ?? [])];
      for (const a of assertions) if (a.type === 'judge' && typeof a.model === 'string') modelFor(a.model);
      cases.push({ case: c, index, samples: opts.repeat ?? opts.repeats?.get(name) ?? suite.repeat, assertions });
    });
    const sha = promptHash(prompt);
    const locked = ws.lock?.value.prompts[prompt.id];
    suites.push({ suite, file: source.file, caseLine: (i) => locate(source, ['cases', i]).line, prompt, promptSha256: sha, editedSinceLock: !locked || locked.sha256 !== sha, model, cases });
  }
  const samples = suites.reduce((n, s) => n + s.cases.reduce((m, c) => m + c.samples, 0), 0);
  if (samples > MAX_PLANNED_SAMPLES) {
    throw new UsageError(`the run would make ${samples} case samples (cases × repeats over all suites); the limit is ${MAX_PLANNED_SAMPLES}`, {
      code: 'E_PLAN_TOO_LARGE',
      hint: 'run fewer suites, lower --repeat, or split the run with --shard i/n',
    });
  }
  if (unlocked.length) {
    throw new GateError('E_UNLOCKED', `model${unlocked.length > 1 ? 's' : ''} ${unlocked.map((u) => `"${u}"`).join(', ')} not locked in aigov.lock`, {
      hint: 'run `aigov pin` (or pass --unlocked for a local experiment)',
    });
  }
  return { suites, models };
}

function resolveModel(ws: Workspace, name: string, allowUnlocked: boolean): PlannedModel {
  const config = ws.config!.value;
  const requested = config.models[name];
  const locked = isModelLocked(config, ws.lock?.value, name);
  const resolved = locked ? ws.lock!.value.models[name].resolved : requested;
  const { provider, model } = splitModelRef(allowUnlocked || locked ? resolved : requested);
  return { name, requested, resolved, provider, id: model, locked };
}

/** Parses `--shard i/n`. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard ${text}: expected i/n with 1 <= i <= n, e.g. 2/4`);
  return { index, count };
}
