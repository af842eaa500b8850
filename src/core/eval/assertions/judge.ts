// `judge`: a pinned model grades the output against a rubric. The model call is the
// context's business; this only asks and reports.
import * as z from 'zod';
import { AigovError } from '../../../errors.js';
import { schemaOnce, type AssertionType } from './types.js';

const judgeSpec = schemaOnce(() =>
  z.strictObject({
    type: z.string(),
    rubric: z.string().min(1, 'expected a rubric: what a good answer does'),
    model: z.string().min(1, 'expected a logical model name from aigov.yaml'),
  }),
);

export const judge: AssertionType<ReturnType<typeof judgeSpec>> = {
  get schema() {
    return judgeSpec();
  },
  deterministic: false,
  async evaluate(output, { rubric, model }, ctx) {
    if (!ctx.judge) throw new Error(`no judge model may be called here, so the rubric cannot be graded by "${model}"`);
    let graded: Awaited<ReturnType<NonNullable<typeof ctx.judge>>>;
    try {
      graded = await ctx.judge({ rubric, model, output });
    } catch (err) {
      // A provider failure stays one, so the case is an error (exit 3), not a bug.
      if (err instanceof AigovError) throw err;
      throw new Error(`the judge "${model}" could not grade the output: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const score = Number.isFinite(graded.score) ? Math.min(1, Math.max(0, graded.score)) : graded.pass ? 1 : 0;
    return { pass: graded.pass === true, score, reason: `judged by "${model}": ${graded.reason}` };
  },
};
