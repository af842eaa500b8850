// Resolving a requested model (alias or dated id) to the exact snapshot to lock, and
// asking the API which model it says answers for that snapshot (`served`).
import { UsageError } from '../errors.js';
import { isDated, newestSnapshot, splitModelRef } from '../core/lock/snapshots.js';
import type { ModelGateway } from '../providers/gateway.js';
import type { ModelRequest } from '../providers/types.js';

/** The smallest call there is: one output token. */
export const MINIMAL_REQUEST: ModelRequest = { messages: [{ role: 'user', content: 'Reply with OK.' }], params: { max_tokens: 1 } };

export interface Resolved {
  resolved: string;
  how: string;
  /** Set when resolving took a live call to the resolved id itself: what that call reported. */
  served?: string | null;
}

export async function resolveSnapshot(gateway: ModelGateway, ref: string): Promise<Resolved> {
  const { provider, model } = splitModelRef(ref);
  const listed = await gateway.listModels(provider);
  if (isDated(model)) {
    if (listed && !listed.includes(model)) throw new UsageError(`${ref}: the provider does not list this model`, { hint: 'check the id, or pin an alias and let aigov resolve it' });
    return { resolved: ref, how: listed ? 'dated id, listed by the provider' : 'dated id' };
  }
  const newest = listed ? newestSnapshot(model, listed) : undefined;
  if (newest) return { resolved: `${provider}:${newest}`, how: 'newest dated snapshot the provider lists' };
  // The list tells nothing about this alias: ask the API which model answers to it.
  const returned = await callOnce(gateway, provider, model);
  const id = returned || model;
  // Asked for the alias and told the alias: that answer is also what `served` records.
  return { resolved: `${provider}:${id}`, how: id === model ? 'the API returned the alias itself' : 'the model a live call answered with', ...(id === model ? { served: returned } : {}) };
}

/** `served` for a resolved `provider:id`: the `model` one minimal call reports, or null where it reports none. */
export async function servedModel(gateway: ModelGateway, resolved: string): Promise<string | null> {
  const { provider, model } = splitModelRef(resolved);
  return callOnce(gateway, provider, model);
}

async function callOnce(gateway: ModelGateway, provider: string, model: string): Promise<string | null> {
  const { response } = await gateway.call({ provider, model, request: MINIMAL_REQUEST, sample: 0, group: 'pin' });
  return response.modelReturned || null;
}
