// `aigov prompt diff ID [A] [B]`: what changed between two versions or refs of a
// prompt. A defaults to the last commit (HEAD), B to the working tree.
import { diffPrompts, type PromptDiff } from '../core/prompt/diff.js';
import { createGit } from './git.js';
import { cachingParse } from './parse-cache.js';
import { describePlace, parsePlace, promptAt, type PromptDeps, type PromptPlace, type PromptSnapshot } from './prompt-at.js';

export interface PromptSideView {
  /** How the side is named: "HEAD (1a2b3c4)", "the working tree". */
  label: string;
  at: PromptSnapshot['at'];
  file: string;
  version: number;
  sha256: string;
}

export interface PromptDiffResult {
  id: string;
  a: PromptSideView;
  b: PromptSideView;
  diff: PromptDiff;
  notes: string[];
}

export async function diffPromptVersions(root: string, id: string, a?: string, b?: string, deps: PromptDeps = {}): Promise<PromptDiffResult> {
  const placeA: PromptPlace = a === undefined ? { kind: 'ref', ref: 'HEAD' } : parsePlace(a);
  const placeB: PromptPlace = b === undefined ? { kind: 'worktree' } : parsePlace(b);
  // One git and one parse cache for both sides.
  const shared = { git: deps.git ?? createGit(root), parse: deps.parse ?? cachingParse(root) };
  const [sa, sb] = await Promise.all([promptAt(root, id, placeA, shared), promptAt(root, id, placeB, shared)]);
  return { id, a: view(sa), b: view(sb), diff: diffPrompts(sa, sb), notes: [...sa.notes, ...sb.notes] };
}

function view(s: PromptSnapshot): PromptSideView {
  return { label: describePlace(s), at: s.at, file: s.file, version: s.prompt.version, sha256: s.sha256 };
}
