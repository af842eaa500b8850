// Two versions of a prompt side by side: the messages as a line diff, params,
// output spec and variables as structural diffs, and the model pin. Pure.
import { structuredPatch } from 'diff';
import type { Prompt } from '../workspace/schemas.js';
import { structuralDiff, type StructuralChange } from '../structural-diff.js';

export interface PromptModel {
  /** The logical model the prompt names. */
  name: string;
  /** What aigov.yaml maps it to there; null when it maps nothing. */
  requested: string | null;
  /** What aigov.lock pinned it to there; null when unlocked. */
  resolved: string | null;
}

export interface PromptSide {
  prompt: Prompt;
  sha256: string;
  model: PromptModel;
}

export interface LineHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Each line prefixed with " " (both), "-" (old only) or "+" (new only). */
  lines: string[];
}

export interface PromptDiff {
  /** Same content hash and the same model pin: nothing that changes behaviour differs. */
  same: boolean;
  contentChanged: boolean;
  version: { from: number; to: number };
  /** The content changed and the version number did not: what `aigov pin --check` fails on. */
  notBumped: boolean;
  model: { from: PromptModel; to: PromptModel; changed: boolean };
  messages: { changed: boolean; hunks: LineHunk[] };
  params: StructuralChange[];
  output: StructuralChange[];
  vars: StructuralChange[];
  /** Not part of the content hash; shown for completeness. */
  description: { from: string | null; to: string | null } | null;
}

export function diffPrompts(a: PromptSide, b: PromptSide): PromptDiff {
  const contentChanged = a.sha256 !== b.sha256;
  const modelChanged = a.model.name !== b.model.name || a.model.requested !== b.model.requested || a.model.resolved !== b.model.resolved;
  const { hunks } = structuredPatch('a', 'b', messagesText(a.prompt), messagesText(b.prompt), '', '', { context: 3 });
  const description = (a.prompt.description ?? null) === (b.prompt.description ?? null) ? null : { from: a.prompt.description ?? null, to: b.prompt.description ?? null };
  return {
    same: !contentChanged && !modelChanged,
    contentChanged,
    version: { from: a.prompt.version, to: b.prompt.version },
    notBumped: contentChanged && a.prompt.version === b.prompt.version,
    model: { from: a.model, to: b.model, changed: modelChanged },
    messages: { changed: hunks.length > 0, hunks: hunks.map(({ oldStart, oldLines, newStart, newLines, lines }) => ({ oldStart, oldLines, newStart, newLines, lines })) },
    params: structuralDiff(a.prompt.params, b.prompt.params),
    output: structuralDiff(a.prompt.output, b.prompt.output),
    vars: structuralDiff(a.prompt.vars, b.prompt.vars),
    description,
  };
}

/** The messages as one text: a `[role]` line, then the content's lines, for each message in order. */
export function messagesText(p: Prompt): string {
  return p.messages.map((m) => `[${m.role}]\n${m.content.replace(/\n$/, '')}\n`).join('');
}
