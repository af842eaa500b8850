// `aigov prompt show ID[@VERSION|@REF]`: one prompt as it was there.
import { parsePromptSpec, promptAt, type PromptDeps, type PromptSnapshot } from './prompt-at.js';

export async function showPrompt(root: string, spec: string, deps: PromptDeps = {}): Promise<PromptSnapshot> {
  const { id, place } = parsePromptSpec(spec);
  return promptAt(root, id, place, deps);
}
