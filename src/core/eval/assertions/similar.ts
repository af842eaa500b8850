// `similar`: normalized edit similarity, 1 - levenshtein / longer length. Cheap, local,
// deterministic: no embeddings and no model call.
import * as z from 'zod';
// A bit-parallel Levenshtein: two 10k-character strings take milliseconds, not the
// second a plain dynamic-programming table takes (which stalls every call in flight).
import { distance } from 'fastest-levenshtein';
import { schemaOnce, type AssertionType } from './types.js';
import { textArg } from './text.js';
import { show } from './show.js';

export const DEFAULT_THRESHOLD = 0.8;

const similarSpec = schemaOnce(() =>
  z.strictObject({
    type: z.string(),
    value: textArg(),
    threshold: z.number().min(0).max(1).default(DEFAULT_THRESHOLD),
  }),
);

export function similarity(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  return longer === 0 ? 1 : 1 - distance(a, b) / longer;
}

export const similar: AssertionType<ReturnType<typeof similarSpec>> = {
  get schema() {
    return similarSpec();
  },
  deterministic: true,
  evaluate(output, { value, threshold }) {
    const expected = value.trim();
    const score = similarity(output.trim(), expected);
    const pass = score >= threshold;
    // Rounded down, so a failing score never prints as equal to its threshold.
    const shown = Math.floor(score * 1000) / 1000;
    const reason = `similarity ${shown} ${pass ? '>=' : '<'} ${threshold} to ${show(expected, 60)}`;
    return pass ? { pass, score, reason } : { pass, score, reason, expected };
  },
};
