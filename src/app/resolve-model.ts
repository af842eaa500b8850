// Resolving a requested model (alias or dated id) to the exact snapshot to lock.
import { UsageError } from '../errors.js';
import { isDated, newestSnapshot, splitModelRef } from '../core/lock/snapshots.js';
import type { ModelGateway } from '../providers/gateway.js';

export async function resolveSnapshot(gateway: ModelGateway, ref: string): Promise<{ resolved: string; how: string }> {
  const { provider, model } = splitModelRef(ref);
  const listed = await gateway.listModels(provider);
  if (isDated(model)) {
    if (listed && !listed.includes(model)) throw new UsageError(`${ref}: the provider does not list this model`, { hint: 'check the id, or pin an alias and let aigov resolve it' });
    return { resolved: ref, how: listed ? 'dated id, listed by the provider' : 'dated id' };
  }
  const newest = listed ? newestSnapshot(model, listed) : undefined;
  if (newest) return { resolved: `${provider}:${newest}`, how: 'newest dated snapshot the provider lists' };
  // The list tells nothing about this alias: ask the API which model answers to it.
  const { response } = await gateway.call({
    provider,
    model,
    request: { messages: [{ role: 'user', content: 'Reply with OK.' }], params: { max_tokens: 1 } },
    sample: 0,
    group: 'pin',
  });
  const returned = response.modelReturned || model;
  return { resolved: `${provider}:${returned}`, how: returned === model ? 'the API returned the alias itself' : 'the model a live call answered with' };
}
