// Runs a zod schema over a parsed document and turns every issue into a Problem
// with the line and column of the offending node.
import type { z } from 'zod';
import type { Problem } from '../../errors.js';
import { didYouMean } from '../suggest.js';
import { problemAt, type DocPath, type SourceFile } from './source.js';

export function checkSchema<S extends z.ZodType>(source: SourceFile, value: unknown, schema: S): { value?: z.infer<S>; problems: Problem[] } {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return { value: result.data, problems: [] };
  const problems: Problem[] = [];
  for (const issue of result.error.issues) problems.push(...toProblems(source, issue as Issue, schema));
  return { problems };
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  input?: unknown;
}

function toProblems(source: SourceFile, issue: Issue, schema: z.ZodType): Problem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol') as DocPath;
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    const known = keysAt(schema, path);
    return issue.keys.map((k) =>
      problemAt(source, [...path, k], `unknown key "${k}"`, { key: true, hint: known ? didYouMean(k, known) : undefined }),
    );
  }
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  return [problemAt(source, path, missing ? `required: ${expected(issue.message)}` : tidy(issue.message))];
}

function expected(message: string): string {
  const m = /expected (\w+)/.exec(message);
  return m ? `expected ${m[1]}` : message;
}

function tidy(message: string): string {
  return message.replace(/^Invalid input: /, '').replace(/^Invalid string: /, '');
}

/** The keys an object schema accepts at `path`, for did-you-mean on unknown keys. */
function keysAt(schema: z.ZodType, path: DocPath): string[] | undefined {
  let def = defOf(schema);
  for (const seg of path) {
    def = unwrap(def);
    if (def.type === 'object' && typeof seg === 'string') def = defOf(def.shape[seg]);
    else if (def.type === 'array') def = defOf(def.element);
    else if (def.type === 'record') def = defOf(def.valueType);
    else return undefined;
    if (!def) return undefined;
  }
  def = unwrap(def);
  return def?.type === 'object' ? Object.keys(def.shape) : undefined;
}

// zod 4 keeps a schema's structure on `_zod.def`; only the few wrappers we use are unwrapped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Def = any;
function defOf(schema: unknown): Def {
  return (schema as { _zod?: { def: Def } } | undefined)?._zod?.def;
}
function unwrap(def: Def): Def {
  while (def && (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault')) def = defOf(def.innerType);
  return def;
}
