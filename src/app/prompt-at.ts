// Where a prompt is read from: the working tree, a git ref, or the commit where
// a version was current. `ID`, `ID@3`, `ID@main`: a prompt id never holds "@",
// so the first one splits; a part of digits only is a version number, unless no
// version has that number and it names a commit (an abbreviated id can be all digits).
import { UsageError } from '../errors.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import type { PromptModel } from '../core/prompt/diff.js';
import type { Parse } from '../core/workspace/build.js';
import type { Prompt } from '../core/workspace/schemas.js';
import { createGit, type Git } from './git.js';
import { cachingParse } from './parse-cache.js';
import { readWorkspace } from './read-workspace.js';
import { promptIn, readPromptPoints } from './prompt-versions.js';
import { readWorkspaceAt } from './workspace-at-ref.js';

export type PromptPlace = { kind: 'worktree' } | { kind: 'ref'; ref: string } | { kind: 'version'; version: number; /** As written, for when it is an abbreviated commit id instead. */ text?: string };

export interface PromptSnapshot {
  id: string;
  /** The file as it is named there: `prompts/x.yaml`. */
  file: string;
  at: { kind: 'worktree' } | { kind: 'commit'; ref: string; commit: string; author: string | null; date: string | null };
  prompt: Prompt;
  sha256: string;
  model: PromptModel;
  notes: string[];
}

export interface PromptDeps {
  git?: Git;
  parse?: Parse;
}

/** `ID`, `ID@VERSION` or `ID@REF`. */
export function parsePromptSpec(spec: string): { id: string; place: PromptPlace } {
  const at = spec.indexOf('@');
  if (at === 0) throw new UsageError(`"${spec}": expected ID, ID@VERSION or ID@REF`, { hint: 'e.g. invoice_classifier@3 or invoice_classifier@main' });
  if (at < 0) return { id: spec, place: { kind: 'worktree' } };
  return { id: spec.slice(0, at), place: parsePlace(spec.slice(at + 1), spec) };
}

/** Git abbreviates a commit id to 4 characters at the least. */
const MIN_ABBREV = 4;

/** A version number or a git ref, as `prompt diff` takes its A and B. */
export function parsePlace(text: string, whole = text): PromptPlace {
  if (!text) throw new UsageError(`"${whole}": nothing after "@"`, { hint: 'a version number (3) or a git ref (main, HEAD~1, a commit)' });
  if (/^\d+$/.test(text)) {
    const version = Number(text);
    if (Number.isSafeInteger(version) && version >= 1) return { kind: 'version', version, text };
    // Not a version (0, or too big): a commit id, when it is long enough for one.
    if (text.length < MIN_ABBREV) throw new UsageError(`"${whole}": version ${text} is not a version number (1 or more)`);
  }
  return { kind: 'ref', ref: text };
}

export function describePlace(s: Pick<PromptSnapshot, 'at' | 'prompt'>): string {
  if (s.at.kind === 'worktree') return 'the working tree';
  const short = s.at.commit.slice(0, 7);
  return s.at.ref === s.at.commit ? `commit ${short}` : `${s.at.ref} (${short})`;
}

export async function promptAt(root: string, id: string, place: PromptPlace, deps: PromptDeps = {}): Promise<PromptSnapshot> {
  const parse = deps.parse ?? cachingParse(root);
  if (place.kind === 'worktree') {
    const found = promptIn(readWorkspace(root), id, 'in the working tree');
    return { id, ...found, at: { kind: 'worktree' }, sha256: promptHash(found.prompt), notes: [] };
  }
  const git = deps.git ?? createGit(root);
  if (place.kind === 'ref') return atCommit(root, id, place.ref, await git.revParse(place.ref), { author: null, date: null }, git, parse, []);

  const points = await readPromptPoints(id, git, parse);
  const holding = points.filter((p) => p.state.kind === 'prompt' && p.state.version === place.version);
  if (holding.length) {
    // The last commit where the version was current is that version as it finally was.
    const last = holding[holding.length - 1];
    const contents = new Set(holding.map((p) => (p.state.kind === 'prompt' ? p.state.sha256 : '')));
    const notes = contents.size > 1 ? [`version ${place.version} had ${contents.size} different contents in git (changed without a version bump); this is the last, from ${last.commit!.slice(0, 7)}`] : [];
    return atCommit(root, id, last.commit!, last.commit!, { author: last.author ?? null, date: last.date ?? null }, git, parse, notes);
  }
  const ws = readWorkspace(root);
  if (ws.prompts.get(id)?.value.version === place.version) {
    const found = promptIn(ws, id, 'in the working tree');
    return { id, ...found, at: { kind: 'worktree' }, sha256: promptHash(found.prompt), notes: [`version ${place.version} is not committed yet: this is the working tree`] };
  }
  const asCommit = place.text && place.text.length >= MIN_ABBREV ? await git.revParse(place.text).catch(() => null) : null;
  if (asCommit) return atCommit(root, id, place.text!, asCommit, { author: null, date: null }, git, parse, []);
  const known = [...new Set(points.flatMap((p) => (p.state.kind === 'prompt' ? [p.state.version] : [])))].sort((a, b) => a - b);
  if (!known.length && !ws.prompts.has(id)) promptIn(ws, id, 'in the working tree or in git');
  throw new UsageError(`prompt "${id}" has no version ${place.text ?? place.version} in git or in the working tree`, {
    code: 'E_UNKNOWN_VERSION',
    hint: known.length ? `versions in git: ${known.join(', ')}` : 'it has no committed version yet',
  });
}

async function atCommit(root: string, id: string, ref: string, commit: string, who: { author: string | null; date: string | null }, git: Git, parse: Parse, notes: string[]): Promise<PromptSnapshot> {
  const label = ref === commit ? commit.slice(0, 7) : ref;
  const { ws } = await readWorkspaceAt(root, commit, { git, parse, label });
  const found = promptIn(ws, id, `at ${label}`, `${label}:`);
  return { id, ...found, at: { kind: 'commit', ref, commit, ...who }, sha256: promptHash(found.prompt), notes };
}
