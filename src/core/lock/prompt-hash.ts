import { hashOf } from '../canonical.js';
import type { Prompt } from '../workspace/schemas.js';

/**
 * The content hash of a prompt: everything that changes what is sent to the model
 * or how its answer is read. `version` and `description` are left out, so a
 * version bump alone is not an edit and a reworded description needs no bump.
 */
export function promptHash(p: Prompt): string {
  return hashOf({ model: p.model, params: p.params, messages: p.messages, vars: p.vars, output: p.output });
}
