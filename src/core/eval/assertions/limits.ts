// Budgets on a single call: latency, cost and tokens, read from the context, not the output.
import * as z from 'zod';
import { schemaOnce, type AssertionType } from './types.js';
import { verdict } from './show.js';

const limitSpec = schemaOnce(() => z.strictObject({ type: z.string(), value: z.number().nonnegative('expected a number >= 0') }));
const tokenSpec = schemaOnce(() => z.strictObject({ type: z.string(), value: z.number().int('expected a whole number of tokens').nonnegative('expected a number >= 0') }));

export const maxLatencyMs: AssertionType<ReturnType<typeof limitSpec>> = {
  get schema() {
    return limitSpec();
  },
  deterministic: true,
  evaluate(_output, { value }, ctx) {
    const ok = ctx.latencyMs <= value;
    return verdict(ok, `latency ${Math.round(ctx.latencyMs)} ms ${ok ? 'is within' : 'exceeds'} ${value} ms`);
  },
};

export const maxCost: AssertionType<ReturnType<typeof limitSpec>> = {
  get schema() {
    return limitSpec();
  },
  deterministic: true,
  evaluate(_output, { value }, ctx) {
    // Thrown, not failed: validation refuses an unpriced model, so reaching here is a bug, and `not-max-cost` must not pass on it.
    if (ctx.costUsd === null) throw new Error(`cost unknown: add pricing for ${ctx.model ?? 'the model'} in aigov.yaml`);
    const ok = ctx.costUsd <= value;
    return verdict(ok, `cost ${usd(ctx.costUsd)} ${ok ? 'is within' : 'exceeds'} ${usd(value)}`);
  },
};

export const maxTokens: AssertionType<ReturnType<typeof tokenSpec>> = {
  get schema() {
    return tokenSpec();
  },
  deterministic: true,
  evaluate(_output, { value }, ctx) {
    const { input, output } = ctx.tokens;
    const ok = input + output <= value;
    return verdict(ok, `${input + output} tokens (${input} in, ${output} out) ${ok ? 'is within' : 'exceeds'} ${value}`);
  },
};

function usd(n: number): string {
  return `$${Number(n.toPrecision(3))}`;
}
