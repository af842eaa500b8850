// Files in, workspace out: parse, schema-check and cross-check, collecting every problem. Pure.
import type { z } from 'zod';
import type { Problem } from '../../errors.js';
import { automationSchema, configSchema, lockSchema, promptSchema, suiteSchema } from './schemas.js';
import { parseSource, problemAt, type ParsedSource } from './source.js';
import { checkSchema } from './validate-schema.js';
import { crossCheck, type RuleTools } from './rules.js';
import { conflictProblem, withRewriteHint } from '../lock/broken.js';
import type { Loaded, RawFile, Workspace } from './workspace.js';

const FOLDERS = { prompts: 'prompts', evals: 'evals', automations: 'automations' } as const;

export type Parse = (file: string, text: string) => ParsedSource;

/**
 * `parse` may be a caching wrapper around parseSource; it must return what parseSource would.
 * `tools` does for the rules what the pure core cannot (compiling output schemas).
 */
export function buildWorkspace(root: string, files: readonly RawFile[], parse: Parse = parseSource, tools: RuleTools = {}): Workspace {
  const ws: Workspace = { root, prompts: new Map(), suites: new Map(), automations: new Map(), problems: [] };
  for (const f of files) {
    if (f.problem) {
      ws.problems.push(f.problem);
      continue;
    }
    const folder = f.path.includes('/') ? f.path.slice(0, f.path.indexOf('/')) : '';
    if (f.path === 'aigov.yaml') ws.config = load(ws, f, configSchema, parse);
    else if (f.path === 'aigov.lock') ws.lock = loadLock(ws, f, parse);
    else if (folder === FOLDERS.prompts) add(ws, ws.prompts, f, promptSchema, 'id', parse);
    else if (folder === FOLDERS.evals) add(ws, ws.suites, f, suiteSchema, 'suite', parse);
    else if (folder === FOLDERS.automations) add(ws, ws.automations, f, automationSchema, 'id', parse);
  }
  if (!ws.config && !files.some((f) => f.path === 'aigov.yaml')) {
    ws.problems.push({ severity: 'error', file: 'aigov.yaml', message: 'no aigov.yaml in the workspace root', hint: 'run `aigov init`' });
  }
  if (ws.config) ws.problems.push(...crossCheck(ws, tools));
  return ws;
}

function load<S extends z.ZodType>(ws: Workspace, f: RawFile, schema: S, parse: Parse): Loaded<z.infer<S>> | undefined {
  const { loaded, problems } = loadDocument(f.path, f.text ?? '', schema, parse);
  ws.problems.push(...problems);
  return loaded;
}

/**
 * One file's text through the parser and its schema: what every workspace file
 * goes through, exported for a file read alone (a lock or a prompt at a git ref).
 */
export function loadDocument<S extends z.ZodType>(file: string, text: string, schema: S, parse: Parse = parseSource): { loaded?: Loaded<z.infer<S>>; problems: Problem[] } {
  const parsed = parse(file, text);
  if (parsed.problems.length) return { problems: parsed.problems };
  if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    return { problems: [{ severity: 'error', file, line: 1, col: 1, message: 'expected a YAML mapping (key: value pairs) at the top of the file' }] };
  }
  const checked = checkSchema(parsed.source, parsed.value, schema);
  return { loaded: checked.value === undefined ? undefined : { value: checked.value, source: parsed.source }, problems: checked.problems };
}

/** The lock, or its problem named as such: merge-conflict markers, or garbage that `aigov pin` rewrites. */
function loadLock(ws: Workspace, f: RawFile, parse: Parse): Loaded<z.infer<typeof lockSchema>> | undefined {
  const conflict = conflictProblem(f.text ?? '');
  if (conflict) {
    ws.problems.push(conflict);
    return undefined;
  }
  const before = ws.problems.length;
  const lock = load(ws, f, lockSchema, parse);
  for (let i = before; i < ws.problems.length; i++) ws.problems[i] = withRewriteHint(ws.problems[i]);
  return lock;
}

function add<S extends z.ZodType>(ws: Workspace, into: Map<string, Loaded<z.infer<S>>>, f: RawFile, schema: S, idKey: string, parse: Parse): void {
  const loaded = load(ws, f, schema, parse);
  if (!loaded) return;
  const stem = f.path.slice(f.path.lastIndexOf('/') + 1).replace(/\.ya?ml$/, '');
  const id = (loaded.value as Record<string, string>)[idKey];
  if (id !== stem) {
    ws.problems.push(problemAt(loaded.source, [idKey], `${idKey} "${id}" must equal the file name "${stem}"`, { hint: `rename the file or set ${idKey}: ${stem}` }));
    return;
  }
  const existing = into.get(id);
  if (existing) {
    ws.problems.push(problemAt(loaded.source, [idKey], `duplicate ${idKey} "${id}": also defined in ${existing.source.file}`));
    return;
  }
  into.set(id, loaded);
}
