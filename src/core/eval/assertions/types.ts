// Assertions are pure functions of (output, spec, context) -> result. The only
// one that needs a model, `judge`, gets it as a callback in the context.
import type { z } from 'zod';

export interface AssertionContext {
  /** The prompt's declared output type. */
  outputType: 'text' | 'json';
  /** The prompt's output JSON Schema, for the `schema` assertion. */
  schema?: Record<string, unknown>;
  latencyMs: number;
  costUsd: number | null;
  tokens: { input: number; output: number };
  /** The model id that answered, to name it in messages (e.g. "add pricing for …"). */
  model?: string;
  /** Grades output against a rubric with a pinned model; absent where no model may be called. */
  judge?: (request: { rubric: string; model: string; output: string }) => Promise<{ pass: boolean; score: number; reason: string }>;
}

export interface AssertionResult {
  pass: boolean;
  /** 0..1 */
  score: number;
  /** One line a person can read: why it failed (or passed). */
  reason: string;
  /** For equals-like failures: what was expected, so a renderer can show a diff. */
  expected?: unknown;
}

/** A registered assertion type: its arguments' schema (checked at validation time) and its evaluation. */
export interface AssertionType<S extends z.ZodType = z.ZodType> {
  /** The spec's schema, including `type`; used by `aigov validate`. */
  schema: S;
  /** Only deterministic types may be negated with a `not-` prefix (SPEC); `judge` is not. */
  deterministic: boolean;
  evaluate(output: string, spec: z.infer<S>, ctx: AssertionContext): AssertionResult | Promise<AssertionResult>;
}

/**
 * A schema built the first time it is asked for, then kept: built at import, the
 * assertions' schemas cost every run some 10 ms of start-up, and a run needs only
 * those of the types its suites use.
 */
export function schemaOnce<S extends z.ZodType>(build: () => S): () => S {
  let built: S | undefined;
  return () => (built ??= build());
}
