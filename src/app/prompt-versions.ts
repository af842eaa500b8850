// A prompt through git: its file at every commit that touched it, each read
// through the same checks, parser and schema as the working tree's file, and
// hashed with the lock's prompt hash. Shared by `prompt show ID@VERSION`,
// `prompt diff` and `prompt history`.
import { formatProblem, InvalidWorkspaceError, UsageError, type Problem } from '../errors.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import type { PromptModel } from '../core/prompt/diff.js';
import type { HistoryPoint } from '../core/prompt/history.js';
import { didYouMean } from '../core/suggest.js';
import { loadDocument, type Parse } from '../core/workspace/build.js';
import { decodeWorkspaceFile } from '../core/workspace/decode.js';
import { schemas, type Prompt } from '../core/workspace/schemas.js';
import type { Workspace } from '../core/workspace/workspace.js';
import type { Git } from './git.js';
import { namedAt } from './workspace-at-ref.js';

/** A point of the history, with the prompt itself where the file was valid there. */
export interface PromptPoint extends HistoryPoint {
  prompt?: Prompt;
  file?: string;
  /** The file's text there, when it was text. */
  text?: string;
}

export function promptFiles(id: string): string[] {
  return [`prompts/${id}.yaml`, `prompts/${id}.yml`];
}

/** Every commit that touched the prompt's file, oldest first. */
export async function readPromptPoints(id: string, git: Git, parse: Parse): Promise<PromptPoint[]> {
  const paths = promptFiles(id);
  const commits = (await git.log(paths)).reverse();
  const blobs = await git.showCommits(commits.flatMap((c) => paths.map((path) => ({ commit: c.commit, path }))));
  return commits.map((c, i) => {
    const k = paths.findIndex((_, j) => blobs[i * paths.length + j]);
    const base = { commit: c.commit, author: c.author, email: c.email, date: c.date, subject: c.subject };
    if (k < 0) return { ...base, state: { kind: 'absent' as const } };
    const file = paths[k];
    const read = readPrompt(id, file, blobs[i * paths.length + k]!, parse);
    if ('problems' in read) return { ...base, file, text: read.text, state: { kind: 'invalid' as const, problems: namedAt(c.commit.slice(0, 7), read.problems).map(formatProblem) } };
    return { ...base, file, text: read.text, prompt: read.prompt, state: { kind: 'prompt' as const, version: read.prompt.version, sha256: promptHash(read.prompt) } };
  });
}

function readPrompt(id: string, file: string, bytes: Buffer, parse: Parse): { prompt: Prompt; text: string } | { problems: Problem[]; text?: string } {
  const raw = decodeWorkspaceFile(file, bytes);
  if (raw.problem) return { problems: [raw.problem] };
  const text = raw.text!;
  const { loaded, problems } = loadDocument(file, text, schemas().promptSchema, parse);
  if (!loaded) return { problems, text };
  if (loaded.value.id !== id) return { problems: [{ severity: 'error', file, line: 1, col: 1, path: 'id', message: `id "${loaded.value.id}" must equal the file name "${id}"` }], text };
  return { prompt: loaded.value, text };
}

/**
 * The prompt `id` in a workspace, refusing one whose own file has errors (with
 * those errors); problems elsewhere in the workspace do not stop a look at it.
 * `prefix` is how the workspace's problems name their files ("main:" at a ref).
 */
export function promptIn(ws: Workspace, id: string, where: string, prefix = ''): { prompt: Prompt; file: string; model: PromptModel } {
  const own = ws.problems.filter((p) => p.severity === 'error' && promptFiles(id).some((f) => p.file === `${prefix}${f}`));
  if (own.length) throw new InvalidWorkspaceError(own);
  const loaded = ws.prompts.get(id);
  if (!loaded) throw new UsageError(`no prompt "${id}" ${where}`, { code: 'E_UNKNOWN_PROMPT', hint: didYouMean(id, ws.prompts.keys()) ?? (ws.prompts.size ? `prompts: ${[...ws.prompts.keys()].join(', ')}` : 'no prompts there') });
  const p = loaded.value;
  return {
    prompt: p,
    file: loaded.source.file,
    model: { name: p.model, requested: ws.config?.value.models[p.model] ?? null, resolved: ws.lock?.value.models[p.model]?.resolved ?? null },
  };
}
