// Files in, workspace out: parse, schema-check and cross-check, collecting every problem. Pure.
import type { z } from 'zod';
import type { Problem } from '../../errors.js';
import { fileSchema, type FileKind } from './schemas.js';
import { parseSource, problemAt, type ParsedSource, type SourceFile } from './source.js';
import { checkSchema } from './validate-schema.js';
import { crossCheck, type RuleTools } from './rules.js';
import { conflictProblem, withRewriteHint } from '../lock/broken.js';
import type { Loaded, RawFile, Workspace } from './workspace.js';

const FOLDERS = { prompts: 'prompts', evals: 'evals', automations: 'automations' } as const;

const NO_CONFIG = 'no aigov.yaml in the workspace root';

/** The problem of a workspace with no aigov.yaml at all (not one whose aigov.yaml is wrong). */
export function isMissingConfig(p: Problem): boolean {
  return p.file === 'aigov.yaml' && p.message === NO_CONFIG;
}

export type Parse = ((file: string, text: string) => ParsedSource) & {
  /**
   * A cache's record of what the schema check of a file of `kind` with exactly this
   * text concluded, when it was clean: the checked value, with the file's source
   * (parsed for positions only if a problem needs one). Validated once per content hash.
   */
  checked?: (kind: FileKind, file: string, text: string) => { value: unknown; source: SourceFile } | undefined;
  /** Told of each clean schema check, to keep its value for next time. */
  keepChecked?: (kind: FileKind, text: string, value: unknown) => void;
};

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
    if (f.path === 'aigov.yaml') ws.config = load(ws, f, 'config', parse);
    else if (f.path === 'aigov.lock') ws.lock = loadLock(ws, f, parse);
    else if (folder === FOLDERS.prompts) add(ws, ws.prompts, f, 'prompt', 'id', parse);
    else if (folder === FOLDERS.evals) add(ws, ws.suites, f, 'suite', 'suite', parse);
    else if (folder === FOLDERS.automations) add(ws, ws.automations, f, 'automation', 'id', parse);
  }
  if (!ws.config && !files.some((f) => f.path === 'aigov.yaml')) {
    ws.problems.push({ severity: 'error', file: 'aigov.yaml', message: NO_CONFIG, hint: 'run `aigov init`' });
  }
  if (ws.config) ws.problems.push(...crossCheck(ws, tools));
  return ws;
}

type ValueOf<K extends FileKind> = z.infer<ReturnType<typeof fileSchema<K>>>;

function load<K extends FileKind>(ws: Workspace, f: RawFile, kind: K, parse: Parse): Loaded<ValueOf<K>> | undefined {
  const text = f.text ?? '';
  const known = parse.checked?.(kind, f.path, text);
  if (known) return known as Loaded<ValueOf<K>>;
  const { loaded, problems } = loadDocument(f.path, text, fileSchema(kind) as unknown as z.ZodType<ValueOf<K>>, parse);
  ws.problems.push(...problems);
  if (loaded && !problems.length) parse.keepChecked?.(kind, text, loaded.value);
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
function loadLock(ws: Workspace, f: RawFile, parse: Parse): Loaded<ValueOf<'lock'>> | undefined {
  const conflict = conflictProblem(f.text ?? '');
  if (conflict) {
    ws.problems.push(conflict);
    return undefined;
  }
  const before = ws.problems.length;
  const lock = load(ws, f, 'lock', parse);
  for (let i = before; i < ws.problems.length; i++) ws.problems[i] = withRewriteHint(ws.problems[i]);
  return lock;
}

function add<K extends FileKind>(ws: Workspace, into: Map<string, Loaded<ValueOf<K>>>, f: RawFile, kind: K, idKey: string, parse: Parse): void {
  const loaded = load(ws, f, kind, parse);
  if (!loaded) return;
  const stem = f.path.slice(f.path.lastIndexOf('/') + 1).replace(/\.ya?ml$/, '');
  const id = (loaded.value as unknown as Record<string, string>)[idKey];
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
