// The eval evidence in the log: the newest eval of each suite, and the newest
// at each prompt hash and model it ran against (what promotion asks for).
import { num, record, str, type FoldEvent } from './events.js';

export interface EvalRecord {
  suite: string;
  at: string;
  passed: boolean;
  passRate: number | null;
  cases: number | null;
  prompt: { id: string | null; version: number | null; sha256: string | null };
  /** The resolved model it ran against. */
  model: string | null;
  /** The model the API reported; absent from logs older than `served`. */
  served: string | null;
  mode: string | null;
  /** Run with `--unlocked`: never evidence. */
  unlocked: boolean;
  /** One shard of a `--shard i/n` run: some of the suite's cases, never evidence for the suite. */
  shard?: boolean;
}

export interface SuiteEvals {
  suite: string;
  last: EvalRecord;
  /** The newest record at each (prompt hash, model, served, unlocked, shard), newest first. */
  targets: EvalRecord[];
}

export function evalRecord(e: FoldEvent): EvalRecord | null {
  const suite = str(e.data.suite);
  if (!suite) return null;
  const prompt = record(e.data.prompt);
  return {
    suite,
    at: e.at,
    passed: e.data.passed === true,
    passRate: num(e.data.passRate),
    cases: num(e.data.cases),
    prompt: { id: str(prompt.id), version: num(prompt.version), sha256: str(prompt.sha256) },
    model: str(e.data.model),
    served: str(e.data.served),
    mode: str(e.data.mode),
    unlocked: e.data.unlocked === true,
    shard: e.data.shard !== undefined && e.data.shard !== null,
  };
}

/**
 * What makes two evals results for the same thing. An unlocked run or a shard
 * is a target of its own, so a newer one never hides the whole, locked run
 * before it.
 */
export const targetKey = (r: Pick<EvalRecord, 'prompt' | 'model' | 'served' | 'unlocked' | 'shard'>): string => JSON.stringify([r.prompt.sha256, r.model, r.served, r.unlocked, r.shard === true]);

export interface EvalTarget {
  sha256: string;
  model: string;
  /**
   * From aigov.lock: null where the API reports no model name (then an eval
   * whose answers reported one came from elsewhere); absent from a lock written
   * before `served`, and then not compared.
   */
  served?: string | null;
}

/**
 * The newest eval of `suite` at the current prompt hash and locked model,
 * answered by the served model: the evidence the `evals` gate reads. For a
 * replay, `served` is the model its recordings hold, so a replay counts only
 * where they came from the served model. An unlocked run or a shard is never
 * evidence. Null when there is none.
 */
export function evalEvidence(suites: readonly SuiteEvals[], suite: string, target: EvalTarget): EvalRecord | null {
  const s = suites.find((x) => x.suite === suite);
  const match = s?.targets.find((r) => !r.unlocked && !r.shard && r.prompt.sha256 === target.sha256 && r.model === target.model && (target.served === undefined || r.served === target.served));
  return match ?? null;
}
