// Cross-reference rules of an eval suite: its prompt, its cases' variables, and
// every assertion checked against what it will need at run time (an output
// schema, a judge model), so that nothing the user must fix waits for a model call. Pure.
import type { Problem } from '../../errors.js';
import { checkAssertion } from '../eval/assertions/index.js';
import { isModelLocked } from '../lock/drift.js';
import { didYouMean } from '../suggest.js';
import { problemAt, type SourceFile } from './source.js';
import type { Prompt, Suite } from './schemas.js';
import { failedToLoad, type Loaded, type Workspace } from './workspace.js';

export function checkSuite(ws: Workspace, { value: s, source }: Loaded<Suite>): Problem[] {
  const out: Problem[] = [];
  const prompt = ws.prompts.get(s.prompt)?.value;
  if (!prompt) {
    // A prompt whose file failed to load already has its own error; a second one here would mislead.
    if (!failedToLoad(ws, 'prompts', s.prompt)) out.push(problemAt(source, ['prompt'], `unknown prompt "${s.prompt}"`, { hint: didYouMean(s.prompt, ws.prompts.keys()) ?? `create prompts/${s.prompt}.yaml` }));
    return out;
  }
  const seen = new Map<string, number>();
  s.cases.forEach((c, i) => {
    if (seen.has(c.id)) out.push(problemAt(source, ['cases', i, 'id'], `duplicate case id "${c.id}" (also case ${seen.get(c.id)! + 1})`));
    seen.set(c.id, i);
    out.push(...checkVars(s, prompt, c, i, source));
    if (c.expect === undefined && !c.assert?.length) out.push(problemAt(source, ['cases', i], `case "${c.id}" has neither expect nor assert: it would always pass`, { hint: 'add expect: or assert:' }));
    if (c.expect === null) out.push(...checkNullExpect(source, i, c.id, prompt));
    (c.assert ?? []).forEach((a, j) => out.push(...checkCaseAssertion(ws, source, ['cases', i, 'assert', j], a, prompt)));
  });
  return out;
}

function checkVars(s: Suite, prompt: Prompt, c: Suite['cases'][number], i: number, source: SourceFile): Problem[] {
  const out: Problem[] = [];
  for (const [name, spec] of Object.entries(prompt.vars)) {
    const v = c.vars[name];
    if (v === undefined) {
      if (spec.required) out.push(problemAt(source, ['cases', i, 'vars'], `case "${c.id}" is missing required variable "${name}"`, { hint: `add ${name}: … under vars` }));
      continue;
    }
    if (typeof v !== spec.type) out.push(problemAt(source, ['cases', i, 'vars', name], `variable "${name}" must be a ${spec.type}`));
    else if (spec.maxLength && String(v).length > spec.maxLength) out.push(problemAt(source, ['cases', i, 'vars', name], `variable "${name}" is longer than maxLength ${spec.maxLength}`));
  }
  for (const name of Object.keys(c.vars)) {
    if (!(name in prompt.vars)) out.push(problemAt(source, ['cases', i, 'vars', name], `unknown variable "${name}" for prompt "${s.prompt}"`, { key: true, hint: didYouMean(name, Object.keys(prompt.vars)) }));
  }
  return out;
}

/**
 * `expect:` with nothing after it is YAML null: most likely a value not yet
 * written, which would silently expect an empty answer. Only a JSON prompt's
 * explicit `expect: null` means something (the JSON value null).
 */
function checkNullExpect(source: SourceFile, i: number, id: string, prompt: Prompt): Problem[] {
  const node = source.doc.getIn(['cases', i, 'expect'], true) as { source?: string; range?: [number, number, number] } | null | undefined;
  const leftEmpty = !node || node.source === '' || (node.range !== undefined && node.range[0] === node.range[1]);
  if (!leftEmpty && prompt.output.type === 'json') return [];
  const hint = prompt.output.type === 'json' ? 'write the expected JSON value, or expect: null for the JSON value null' : 'write the expected answer, or expect: "" for an empty answer';
  return [problemAt(source, ['cases', i, 'expect'], leftEmpty ? `case "${id}": expect is empty` : `case "${id}": expect: null on a text prompt`, { key: true, hint })];
}

function checkCaseAssertion(ws: Workspace, source: SourceFile, at: (string | number)[], a: { type: string; [k: string]: unknown }, prompt: Prompt): Problem[] {
  const out: Problem[] = [];
  const issues = checkAssertion(a);
  for (const issue of issues) out.push(problemAt(source, [...at, ...issue.path], issue.message, { hint: issue.hint }));
  if (issues.length) return out;
  const base = a.type.replace(/^not-/, '');
  if (base === 'schema' && !prompt.output.schema) {
    out.push(problemAt(source, [...at, 'type'], `prompt "${prompt.id}" declares no output schema to check against`, { hint: 'add output: { type: json, schema: … } to the prompt, or use is-json' }));
  }
  if (a.type === 'judge') out.push(...checkJudgeModel(ws, source, [...at, 'model'], a.model as string));
  return out;
}

/** A judge is a logical model, pinned like any other: `aigov eval` refuses one that is not. */
function checkJudgeModel(ws: Workspace, source: SourceFile, at: (string | number)[], model: string): Problem[] {
  const config = ws.config!.value;
  const models = Object.keys(config.models);
  if (!models.includes(model)) {
    return [problemAt(source, at, `unknown model "${model}"`, { hint: didYouMean(model, models) ?? 'judge models are logical models from aigov.yaml' })];
  }
  // Without a lock (or with one that failed to load) the lock's own problem says it all.
  if (!ws.lock || isModelLocked(config, ws.lock.value, model)) return [];
  return [problemAt(source, at, `judge model "${model}" is not pinned in aigov.lock: \`aigov eval\` will refuse to run this suite`, { severity: 'warning', hint: 'run `aigov pin`' })];
}
