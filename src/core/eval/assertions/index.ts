// The assertion registry: every type an eval suite may use, its validation and its evaluation.
import { asInternal, InternalError } from '../../../errors.js';
import type { AssertionSpec } from '../../workspace/schemas.js';
import { didYouMean } from '../../suggest.js';
import { issuesOf, type AssertionIssue } from './check.js';
import { judge } from './judge.js';
import { isJson, json } from './json.js';
import { maxCost, maxLatencyMs, maxTokens } from './limits.js';
import { negate } from './negate.js';
import { schema } from './schema.js';
import { similar } from './similar.js';
import { contains, equals, icontains, regex, startsWith } from './text.js';
import type { AssertionContext, AssertionResult, AssertionType } from './types.js';

export type { AssertionContext, AssertionResult, AssertionType } from './types.js';
export type { AssertionIssue } from './check.js';
export type { AssertionSpec } from '../../workspace/schemas.js';

const BASE: [string, AssertionType][] = [
  ['equals', equals],
  ['contains', contains],
  ['icontains', icontains],
  ['starts-with', startsWith],
  ['regex', regex],
  ['is-json', isJson],
  ['json', json],
  ['schema', schema],
  ['similar', similar],
  ['max-latency-ms', maxLatencyMs],
  ['max-cost', maxCost],
  ['max-tokens', maxTokens],
  ['judge', judge],
];

const REGISTRY = new Map<string, AssertionType>([
  ...BASE,
  ...BASE.filter(([, t]) => t.deterministic).map(([name, t]): [string, AssertionType] => [`not-${name}`, negate(t)]),
]);

/** Every accepted type name, including the `not-` forms. */
export const ASSERTION_TYPES: readonly string[] = Object.freeze([...REGISTRY.keys()]);

/** Problems with one assertion spec, paths relative to it; empty when it is valid. */
export function checkAssertion(spec: unknown): AssertionIssue[] {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    return [{ path: [], message: 'expected an assertion: a mapping with a "type"', hint: 'for example { type: contains, value: "..." }' }];
  }
  const type = (spec as { type?: unknown }).type;
  if (type === undefined) return [{ path: ['type'], message: 'required: the assertion type', hint: `one of ${BASE.map(([n]) => n).join(', ')}` }];
  if (typeof type !== 'string') return [{ path: ['type'], message: `expected a string, received ${typeof type}` }];
  const registered = REGISTRY.get(type);
  if (!registered) return [{ path: ['type'], message: `unknown assertion type "${type}"`, hint: hintFor(type) }];
  return issuesOf(registered.schema, spec);
}

function hintFor(type: string): string | undefined {
  const base = type.startsWith('not-') ? type.slice(4) : undefined;
  const negatingNonDeterministic = base !== undefined && REGISTRY.has(base) && !REGISTRY.get(base)!.deterministic;
  if (negatingNonDeterministic) return `"${base}" is graded by a model and cannot be negated; write the opposite into its rubric`;
  return didYouMean(type, ASSERTION_TYPES);
}

/** The `expect:` shorthand of a case: equality after trimming (text) or structural equality (json). */
export function expectToAssertion(expect: unknown, outputType: 'text' | 'json'): AssertionSpec {
  // For text, a YAML number or boolean means its text: `expect: 42` expects "42".
  const scalar = typeof expect === 'number' || typeof expect === 'boolean';
  return { type: 'equals', value: outputType === 'text' && scalar ? String(expect) : expect };
}

/**
 * Evaluates one assertion. Validation has already refused what cannot be
 * evaluated (a missing schema or price, an unknown type), so anything thrown
 * here is a bug in aigov: an InternalError (exit 70), never a failed case. An
 * AigovError (a judge's provider failure) passes through as it is.
 */
export async function evaluateAssertion(output: string, spec: AssertionSpec, ctx: AssertionContext): Promise<AssertionResult & { type: string }> {
  const type = spec.type;
  const registered = REGISTRY.get(type);
  if (!registered) throw new InternalError(`unknown assertion type "${type}" reached evaluation past validation`);
  const parsed = registered.schema.safeParse(spec);
  if (!parsed.success) {
    const [first] = issuesOf(registered.schema, spec);
    throw new InternalError(`an invalid "${type}" assertion reached evaluation past validation: ${first ? `${first.path.join('.') || type}: ${first.message}` : parsed.error.message}`);
  }
  try {
    return { type, ...(await registered.evaluate(output, parsed.data, ctx)) };
  } catch (err) {
    throw asInternal(err, `the "${type}" assertion threw`);
  }
}
