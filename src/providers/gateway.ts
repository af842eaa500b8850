// The one door to the models for the eval engine and the library: fixtures in replay
// mode, else the cache, else a live call with retries; in record mode every live
// answer is also kept for the fixtures. Providers (and their SDKs) load on first use.
import { ProviderError, UsageError } from '../errors.js';
import { didYouMean } from '../core/suggest.js';
import { missingKey } from './sdk-call.js';
import { createResponseCache, type ResponseCache } from './cache.js';
import { createCassettes, type Cassettes, type MoreFixtures } from './cassette.js';
import { loadProvider } from './load.js';
import { requestKey } from './request-key.js';
import { withRetries, type Sleep } from './retry.js';
import type { ModelRequest, ModelResponse, Provider, ProviderSettings } from './types.js';

export interface GatewayOptions {
  /** Workspace root. */
  root: string;
  /** By provider name, defaults applied by the caller. */
  providers: Record<string, ProviderSettings>;
  /** process.env merged with .env by the caller. */
  env: Record<string, string | undefined>;
  mode: 'live' | 'replay' | 'record';
  /** Read and write .aigov/cache (ignored in replay mode; write-only in record mode). */
  cache: boolean;
  retries: number;
  /** Per attempt. */
  timeoutMs: number;
  /** Calls in flight at once: each provider keeps that many connections open (default DEFAULT_CONNECTIONS). */
  connections?: number;
  /** aigov's own one-line notices from the providers (a deprecated model, a refused schema); ignored by default. */
  onWarning?: (message: string) => void;
  /** Recordings for replay beyond the working tree's fixtures/ (which win where both have a request). */
  moreFixtures?: MoreFixtures;
  sleep?: Sleep;
}

export interface GatewayCall {
  provider: string;
  /** The resolved (locked) model id. */
  model: string;
  request: ModelRequest;
  /** Sample index (repeat), part of the key. */
  sample: number;
  /** Fixture group: the prompt id, or 'judge'. */
  group: string;
  signal?: AbortSignal;
}

export interface GatewayResult {
  response: ModelResponse;
  source: 'live' | 'cache' | 'replay';
  attempts: number;
}

export interface ModelGateway {
  /** Throws ProviderError after retries. */
  call(c: GatewayCall): Promise<GatewayResult>;
  /** Live only, with retries; null where the provider cannot list. */
  listModels(provider: string): Promise<string[] | null>;
  /** Writes recordings (record mode); a no-op otherwise. */
  flush(): Promise<void>;
  /**
   * Before a run: throws one ProviderError('auth') naming the variable of the first
   * of these providers whose API key is not set (`hint` replaces the default one).
   * Nothing to check in replay mode.
   */
  checkKeys?(providers: readonly string[], hint?: string): void;
}

/** Connections a provider keeps open where the caller names no concurrency (the library's). */
export const DEFAULT_CONNECTIONS = 16;

export function createGateway(opts: GatewayOptions): ModelGateway {
  const cassettes: Cassettes | null = opts.mode === 'live' ? null : createCassettes(opts.root, { more: opts.moreFixtures });
  const cache: ResponseCache | null = opts.cache && opts.mode !== 'replay' ? createResponseCache(opts.root) : null;
  const loaded = new Map<string, Promise<Provider>>();
  const runtime = { connections: opts.connections ?? DEFAULT_CONNECTIONS, onWarning: opts.onWarning ?? (() => {}) };

  function settingsOf(name: string): ProviderSettings {
    const settings = opts.providers[name] ?? builtIn(name);
    if (settings) return settings;
    const hint = didYouMean(name, Object.keys(opts.providers));
    throw new UsageError(`unknown provider "${name}"`, { hint: hint ?? 'declare it under providers in aigov.yaml' });
  }

  function provider(name: string): Promise<Provider> {
    let p = loaded.get(name);
    if (!p) {
      let settings: ProviderSettings;
      try {
        settings = settingsOf(name);
      } catch (err) {
        return Promise.reject(err);
      }
      p = loadProvider({ ...settings, cwd: settings.cwd ?? opts.root }, opts.env, runtime);
      // A failed load (a missing key) is not kept, so every call reports it and a fixed env is picked up.
      p.catch(() => {
        if (loaded.get(name) === p) loaded.delete(name);
      });
      loaded.set(name, p);
    }
    return p;
  }

  const pending = new Set<Promise<void>>();
  return {
    async call(c) {
      // Hashing the request is only needed to look it up or store it.
      const key = cache || opts.mode !== 'live' ? requestKey(c.provider, c.model, c.request, c.sample) : '';
      if (opts.mode === 'replay') {
        const response = await cassettes!.find(key, { group: c.group, provider: c.provider, model: c.model, sample: c.sample });
        return { response, source: 'replay', attempts: 0 };
      }
      if (cache && opts.mode === 'live') {
        const hit = await cache.get(key);
        if (hit) return { response: hit, source: 'cache', attempts: 0 };
      }
      const p = await provider(c.provider);
      const { value, attempts } = await withRetries((_n) => p.complete(c.model, c.request, { timeoutMs: opts.timeoutMs, signal: c.signal }), {
        retries: opts.retries,
        sleep: opts.sleep,
        signal: c.signal,
      });
      if (cassettes) cassettes.record(c.group, { key, provider: c.provider, model: c.model, sample: c.sample, request: c.request, response: value });
      if (cache) writeQuietly(cache, key, value, pending);
      return { response: value, source: 'live', attempts };
    },
    async listModels(name) {
      if (opts.mode === 'replay') {
        throw new ProviderError('no_recording', `cannot list the models of ${name} in replay mode: model lists are not recorded`, { hint: 'run it without --replay' });
      }
      const p = await provider(name);
      const { value } = await withRetries(() => p.listModels({ timeoutMs: opts.timeoutMs }), { retries: opts.retries, sleep: opts.sleep });
      return value;
    },
    async flush() {
      await Promise.all(pending);
      if (opts.mode === 'record') await cassettes!.flush();
    },
    checkKeys(providers, hint) {
      if (opts.mode === 'replay') return;
      for (const name of [...new Set(providers)].sort()) {
        const s = settingsOf(name);
        if (s.type === 'exec') continue;
        const keyEnv = s.apiKeyEnv ?? (s.type === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY');
        if (!opts.env[keyEnv]) throw missingKey(keyEnv, name, hint);
      }
    },
  };
}

/** `openai` and `anthropic` work without a `providers:` entry, as in aigov.yaml. */
function builtIn(name: string): ProviderSettings | undefined {
  return name === 'openai' || name === 'anthropic' ? { name, type: name } : undefined;
}

/** The cache only saves time: a full disk must not turn a good answer into a failed call. */
function writeQuietly(cache: ResponseCache, key: string, response: ModelResponse, pending: Set<Promise<void>>): void {
  const write = cache
    .put(key, response)
    .catch(() => {
      // Next run simply misses.
    })
    .finally(() => pending.delete(write));
  pending.add(write);
}
