// The identity of one model answer: the same key for the cache and the fixtures,
// so a recorded response and a cached one are interchangeable.
import { hashOf } from '../core/canonical.js';
import type { ModelRequest } from './types.js';

export function requestKey(provider: string, model: string, request: ModelRequest, sample: number): string {
  return hashOf({ provider, model, request, sample });
}
