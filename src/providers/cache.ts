// The local response cache: one JSON file per request key under .aigov/cache,
// fanned out by the key's first two characters so no folder grows huge.
// Only successful responses are ever put here; a broken entry reads as a miss.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicQuick } from '../fs/atomic.js';
import type { ModelResponse } from './types.js';

const VERSION = 1;

export interface ResponseCache {
  get(key: string): Promise<ModelResponse | null>;
  /** Resolves once the entry is on disk; a cache is rebuildable, so it is not fsynced. */
  put(key: string, response: ModelResponse): Promise<void>;
}

export function cacheDir(root: string): string {
  return join(root, '.aigov', 'cache');
}

export function createResponseCache(root: string): ResponseCache {
  const dir = cacheDir(root);
  const pathOf = (key: string) => {
    if (!/^[0-9a-f]{8,}$/.test(key)) throw new Error(`cache key must be a hex digest, got "${key}"`);
    return join(dir, key.slice(0, 2), `${key}.json`);
  };
  return {
    async get(key) {
      const path = pathOf(key);
      let text: string;
      try {
        // Synchronous: a hit is one small read, and a fully cached run does hundreds
        // of them back to back; the thread pool's round trips would cost more.
        text = readFileSync(path, 'utf8');
      } catch {
        // Missing or unreadable: either way the answer has to come from the model.
        return null;
      }
      try {
        const entry = JSON.parse(text) as { version?: unknown; key?: unknown; response?: unknown };
        return entry.version === VERSION && entry.key === key && isResponse(entry.response) ? entry.response : null;
      } catch {
        return null;
      }
    },
    put(key, response) {
      return writeFileAtomicQuick(pathOf(key), `${JSON.stringify({ version: VERSION, key, response })}\n`);
    },
  };
}

export function isResponse(value: unknown): value is ModelResponse {
  if (!value || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  const tokens = r.tokens as Record<string, unknown> | undefined;
  return (
    typeof r.text === 'string' &&
    typeof r.latencyMs === 'number' &&
    !!tokens &&
    typeof tokens.input === 'number' &&
    typeof tokens.output === 'number' &&
    (r.modelReturned === null || typeof r.modelReturned === 'string') &&
    (r.systemFingerprint === null || typeof r.systemFingerprint === 'string')
  );
}
