// The `not-` form of a deterministic assertion. Reasons are written as facts about the
// output ("output contains …"), so the same sentence explains the negated result.
// An assertion that cannot be evaluated throws instead of failing, and the throw passes
// through here untouched: a missing schema or price must not make a `not-` form pass.
import type { AssertionType } from './types.js';

export function negate(base: AssertionType): AssertionType {
  if (!base.deterministic) throw new Error('only deterministic assertions can be negated');
  return {
    get schema() {
      return base.schema;
    },
    deterministic: true,
    async evaluate(output, spec, ctx) {
      const r = await base.evaluate(output, spec, ctx);
      // No `expected`: a failed negation means the output was what it should not be; a diff shows nothing.
      return { pass: !r.pass, score: 1 - r.score, reason: r.reason };
    },
  };
}
