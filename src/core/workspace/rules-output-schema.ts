// A prompt's output schema must be a JSON Schema the `schema` assertion can
// compile, found at validate time rather than as a failed case. Compiling is the
// caller's (it loads a validator); the rule only places what it reports. Pure.
import type { Problem } from '../../errors.js';
import { problemAt } from './source.js';
import type { Workspace } from './workspace.js';

/** One thing wrong with a schema, at a path inside the schema. */
export interface JsonSchemaIssue {
  path: (string | number)[];
  message: string;
  hint?: string;
}

/** Compiles a JSON Schema, picking the draft by its `$schema`; no issues means it compiles. */
export type JsonSchemaCheck = (schema: Record<string, unknown>) => JsonSchemaIssue[];

export function outputSchemaProblems(ws: Pick<Workspace, 'prompts'>, check: JsonSchemaCheck): Problem[] {
  const out: Problem[] = [];
  for (const { value: p, source } of ws.prompts.values()) {
    if (!p.output.schema) continue;
    for (const issue of check(p.output.schema)) {
      out.push(problemAt(source, ['output', 'schema', ...issue.path], `not a valid JSON Schema: ${issue.message}`, { hint: issue.hint }));
    }
  }
  return out;
}
