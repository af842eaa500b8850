// The `judge` assertion's grader: a pinned model asked to grade an output against a rubric.
import type { ModelGateway } from '../providers/gateway.js';
import type { ModelResponse } from '../providers/types.js';
import type { PlannedModel } from '../core/eval/plan.js';

const SYSTEM = [
  'You grade the output of an AI system against a rubric.',
  'Reply with only a JSON object: {"pass": true or false, "score": a number from 0 to 1, "reason": "one sentence"}.',
].join(' ');

/** Room for the verdict, with a one-sentence reason; a judge that rambles past it is cut off, not billed on. */
export const JUDGE_MAX_TOKENS = 256;

/** `onAnswer` sees the judge's answer, so the caller can check which model gave it. */
export type Judge = (
  r: { rubric: string; model: string; output: string },
  onAnswer?: (model: PlannedModel, response: ModelResponse) => void,
) => Promise<{ pass: boolean; score: number; reason: string }>;

/** A judge bound to the gateway. Provider failures propagate, so the case becomes an error, not a failure. */
export function createJudge(gateway: ModelGateway, models: ReadonlyMap<string, PlannedModel>, opts: { signal?: AbortSignal }): Judge {
  return async ({ rubric, model, output }, onAnswer) => {
    const m = models.get(model);
    if (!m) throw new Error(`judge model "${model}" was not planned`);
    const { response } = await gateway.call({
      provider: m.provider,
      model: m.id,
      request: judgeRequest(rubric, output),
      sample: 0,
      group: 'judge',
      signal: opts.signal,
    });
    onAnswer?.(m, response);
    return readVerdict(response.text);
  };
}

export function judgeRequest(rubric: string, output: string) {
  return {
    messages: [
      { role: 'system' as const, content: SYSTEM },
      { role: 'user' as const, content: `Rubric:\n${rubric}\n\nOutput:\n${output}` },
    ],
    params: { temperature: 0, max_tokens: JUDGE_MAX_TOKENS },
    json: true,
  };
}

export function readVerdict(text: string): { pass: boolean; score: number; reason: string } {
  let v: unknown;
  try {
    v = JSON.parse(text.replace(/^```(?:json)?\s*|\s*```$/g, ''));
  } catch {
    return { pass: false, score: 0, reason: `the judge did not answer with JSON: ${text.slice(0, 80)}` };
  }
  const o = (v ?? {}) as { pass?: unknown; score?: unknown; reason?: unknown };
  const score = typeof o.score === 'number' ? Math.min(1, Math.max(0, o.score)) : o.pass === true ? 1 : 0;
  return { pass: o.pass === true, score, reason: typeof o.reason === 'string' ? o.reason : 'no reason given' };
}
