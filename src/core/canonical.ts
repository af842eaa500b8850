// Canonical JSON: object keys sorted, no whitespace, undefined dropped. The one
// serialization behind every hash (run-log chain, cache keys, fixture keys, prompt hashes).
import { createHash, hash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function sha256(text: string | Uint8Array): string {
  // The one-shot hash is about twice as fast as a Hash object; the run log hashes every event.
  return typeof text === 'string' ? hash('sha256', text, 'hex') : createHash('sha256').update(text).digest('hex');
}

export function hashOf(value: unknown): string {
  return sha256(canonicalJson(value));
}
