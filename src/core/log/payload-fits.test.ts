import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { EVENT_TYPES } from './events.js';
import { compileFits } from './payload-fits.js';
import { PAYLOAD_SCHEMAS } from './payloads.js';

const impact = { system: 'erp', ref: 'INV-1', action: 'book' };
const prompt = { id: 'p', version: 3, sha256: 'cd' };

/** One payload of every type with every field the schema names. */
const FULL: Record<(typeof EVENT_TYPES)[number], Record<string, unknown>> = {
  run_started: { inputSha256: 'ab', inputFingerprint: { alg: 'hmac-sha256', value: 'ab' }, triggeredBy: 'queue', tier: 2, prompt, model: { requested: 'fast', resolved: 'openai:m', served: 'm-1' }, input: { a: 1 } },
  run_finished: { output: 'x', confidence: 0.9, confidenceSource: 'logprobs', modelReturned: 'm', systemFingerprint: 'fp', tokens: { input: 1, output: 2 }, costUsd: 0.1, durationMs: 3, truncated: false, disposition: 'auto', audit: true },
  run_failed: { error: { type: 'server', message: 'boom' }, durationMs: 3 },
  run_abandoned: { reason: 'the worker died', by: 'ann' },
  review_resolved: { decision: 'override', reviewer: 'ann', reason: 'wrong', output: 'y', audit: false },
  action_started: { impacts: [impact, impact], reversibleUntil: '2026-01-01T00:00:00.000Z' },
  action_taken: { impacts: [impact], notified: true, reversibleUntil: '2026-01-01T00:00:00.000Z', result: 'ok' },
  action_failed: { error: { type: 'Error', message: 'ERP down' } },
  notification_sent: { ok: false, error: 'exit 1' },
  revert_started: { by: 'ann', reason: 'wrong', inDoubt: true },
  action_reverted: { by: 'ann', reason: 'wrong', result: { ok: true, exitCode: 0, stdout: '', stderr: '' } },
  impact_tagged: impact,
  threshold_changed: { from: 0.8, to: 0.9, reason: 'calibrated', by: 'ann', evidence: {} },
  tier_changed: { from: 1, to: 2, reason: 'evidence', by: 'ann', evidence: [] },
  review_completed: { month: '2026-11', by: 'ann', flags: [] },
  eval_completed: { suite: 's', prompt, model: 'openai:m', served: 'm-1', mode: 'replay', passRate: 1, passed: true, cases: 3, commit: 'abc', dirty: false },
  model_pinned: { name: 'fast', from: null, to: 'openai:m', served: 'm-1', by: 'ann', evidence: { how: 'resolved' } },
  model_mismatch: { expected: 'openai:m', returned: 'openai:n' },
};

/** What a field is replaced by: every kind of JSON value, the edges of every check, and nothing. */
const REPLACEMENTS: unknown[] = [undefined, null, 0, 1, 2, 3, 4, -1, 0.5, 1.5, 7, 2 ** 60, '', 'x', '2026-11', '0.1', true, false, [], [{}], {}, { system: 'erp' }, 'auto', 'approve', 'sha256', 'md5'];
const MISSING = Symbol('missing');

type Json = Record<string, unknown> | unknown[];

/** Every path to a value inside `value` (the value itself first). */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

/** `value` with the thing at `path` replaced (or removed, for MISSING). */
function replaced(value: unknown, path: (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Json;
  const [head, ...rest] = path;
  const next = replaced((copy as Record<string | number, unknown>)[head], rest, by);
  if (next === MISSING && !Array.isArray(copy)) delete (copy as Record<string, unknown>)[head];
  else (copy as Record<string | number, unknown>)[head] = next;
  return copy;
}

describe('compiled payload predicates', () => {
  it('has a full payload of every type to try', () => {
    expect(Object.keys(FULL).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each([...EVENT_TYPES])('%s: judges every field broken in every way as zod does', (type) => {
    const schema = PAYLOAD_SCHEMAS[type]() as z.ZodType;
    const fits = compileFits(schema);
    const full = FULL[type];
    expect(fits(full)).toBe(true);
    let tried = 0;
    let refused = 0;
    for (const path of paths(full)) {
      for (const by of [...REPLACEMENTS, MISSING]) {
        if (path.length === 0 && by === MISSING) continue;
        const value = replaced(full, path, by);
        const zod = schema.safeParse(value).success;
        expect({ path, by: by === MISSING ? 'missing' : by, fits: fits(value) }).toEqual({ path, by: by === MISSING ? 'missing' : by, fits: zod });
        tried++;
        if (!zod) refused++;
      }
    }
    // The corpus breaks things for real: most replacements are refused, some are not.
    expect(refused).toBeGreaterThan(tried / 4);
    expect(refused).toBeLessThan(tried);
    // And what JSON reads back fits as the object in hand did.
    expect(fits(JSON.parse(JSON.stringify(full)))).toBe(true);
    // A field this version does not know is kept and fits.
    expect(fits({ ...full, addedLater: { any: 1 } })).toBe(true);
  });

  it('leaves to zod what is not a plain object, and never says it fits', () => {
    const fits = compileFits(PAYLOAD_SCHEMAS.model_mismatch() as z.ZodType);
    class Mismatch {
      expected = 'a';
      returned = 'b';
    }
    expect(fits(new Mismatch())).toBe(false);
    expect(fits(new Map([['expected', 'a']]))).toBe(false);
    expect(fits(Object.assign(Object.create(null), { expected: 'a', returned: 'b' }))).toBe(true);
  });

  it('compiles a kind or check it was not taught to "ask zod", never to a wrong yes', () => {
    for (const schema of [z.string().email(), z.object({ a: z.string() }).strict(), z.date(), z.number().multipleOf(2), z.string().max(3), z.record(z.string(), z.number())]) {
      const fits = compileFits(schema as z.ZodType);
      for (const v of ['a@b.co', { a: 'x' }, new Date(), 4, 'ab', { k: 1 }]) expect(fits(v)).toBe(false);
    }
  });
});
