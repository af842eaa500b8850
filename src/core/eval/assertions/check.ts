// Validation of one assertion spec: zod issues become paths relative to the assertion,
// with the wording of the workspace's other problems.
import type { z } from 'zod';
import { didYouMean } from '../../suggest.js';

export interface AssertionIssue {
  path: (string | number)[];
  message: string;
  hint?: string;
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

export function issuesOf(schema: z.ZodType, spec: unknown): AssertionIssue[] {
  const result = schema.safeParse(spec);
  if (result.success) return [];
  return result.error.issues.flatMap((i) => toIssues(i as Issue, spec as Record<string, unknown>, keysOf(schema)));
}

function toIssues(issue: Issue, spec: Record<string, unknown>, known: string[]): AssertionIssue[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const args = known.filter((k) => k !== 'type');
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    return issue.keys.map((k) => ({
      path: [...path, k],
      message: `unknown key "${k}"`,
      hint: didYouMean(k, args) ?? (args.length ? `this assertion takes ${args.map((a) => `"${a}"`).join(', ')}` : 'this assertion takes no arguments'),
    }));
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  // zod does not report the input by default, so "missing" is read from the spec itself.
  const missing = path.length === 1 && spec[path[0]] === undefined;
  if (missing) {
    const expected = /^expected (nonoptional|undefined)/.test(message) ? '' : `: ${message.replace(/, received .*$/, '')}`;
    return [{ path, message: `required${expected}` }];
  }
  return [{ path, message }];
}

function keysOf(schema: z.ZodType): string[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}
