// `aigov prompt history ID`: every version of a prompt in git, at the first
// commit where it appears, with the eval results the run log recorded for its
// content hash. The run log is optional here: a missing or unreachable one is a
// note, never a failure, since the history itself comes from git.
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { AigovError } from '../errors.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import { analyzeHistory, summarizeEvals, type EvalEventLike, type EvalSummary, type HistoryPoint, type HistoryVersion, type InvalidPoint } from '../core/prompt/history.js';
import { formatProblem } from '../errors.js';
import { DEFAULT_STORE_URL, openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { createGit, type Git } from './git.js';
import { cachingParse } from './parse-cache.js';
import { promptFiles, promptIn, readPromptPoints, type PromptPoint } from './prompt-versions.js';
import { readWorkspace, readWorkspaceFile } from './read-workspace.js';

export interface PromptHistory {
  id: string;
  versions: (HistoryVersion & { evals: EvalSummary[] })[];
  invalid: InvalidPoint[];
  notes: string[];
}

export interface HistoryDeps {
  git?: Git;
  /** Opens the run log named by aigov.yaml; the default is the store's own opener. */
  openStore?: (url: string, root: string) => Promise<Store>;
}

export async function promptHistory(root: string, id: string, deps: HistoryDeps = {}): Promise<PromptHistory> {
  const git = deps.git ?? createGit(root);
  const parse = cachingParse(root);
  const ws = readWorkspace(root);
  const [points, shallow] = await Promise.all([readPromptPoints(id, git, parse), git.shallow()]);
  const last = points.at(-1);
  // A working tree file exactly as last committed adds nothing (and repeats that commit's problems, if any).
  const working = sameText(root, last) ? undefined : workingPoint(ws, id);
  // Neither in git nor here: most likely a typo, and promptIn says so with a suggestion.
  if (!points.length && !working) promptIn(ws, id, 'in the working tree or in git');
  const { versions, invalid } = analyzeHistory(working ? [...points, working] : points);
  const notes: string[] = [];
  if (shallow) notes.push('this is a shallow clone: versions older than its first commit are not in it (git fetch --unshallow)');
  const { events, note } = await evalEvents(ws.config?.value.store ?? DEFAULT_STORE_URL, root, deps.openStore ?? openStore);
  if (note) notes.push(note);
  return { id, versions: versions.map((v) => ({ ...v, evals: summarizeEvals(events, id, v.sha256) })), invalid, notes };
}

function sameText(root: string, last: PromptPoint | undefined): boolean {
  if (!last?.file || last.text === undefined || !existsSync(join(root, last.file))) return false;
  return readWorkspaceFile(root, last.file).text === last.text;
}

/** The working tree's file as the last point, when it is there. */
function workingPoint(ws: ReturnType<typeof readWorkspace>, id: string): HistoryPoint | undefined {
  const loaded = ws.prompts.get(id);
  if (loaded) return { commit: null, state: { kind: 'prompt', version: loaded.value.version, sha256: promptHash(loaded.value) } };
  const own = ws.problems.filter((p) => p.severity === 'error' && promptFiles(id).includes(p.file));
  return own.length ? { commit: null, state: { kind: 'invalid', problems: own.map(formatProblem) } } : undefined;
}

async function evalEvents(url: string, root: string, open: NonNullable<HistoryDeps['openStore']>): Promise<{ events: EvalEventLike[]; note?: string }> {
  if (url.startsWith('sqlite:')) {
    // Reading must not create a run log where there is none.
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:' && !existsSync(isAbsolute(path) ? path : resolve(root, path))) return { events: [], note: `no run log at ${path} yet: no eval results to show` };
  }
  let store: Store;
  try {
    store = await open(url, root);
  } catch (err) {
    if (err instanceof AigovError) return { events: [], note: `the run log could not be opened (${err.message}): eval results are not shown` };
    throw err;
  }
  try {
    return { events: await store.query({ types: ['eval_completed'] }) };
  } catch (err) {
    if (err instanceof AigovError) return { events: [], note: `the run log could not be read (${err.message}): eval results are not shown` };
    throw err;
  } finally {
    await store.close().catch(() => {});
  }
}
