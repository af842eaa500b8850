import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from './events.js';
import { PAYLOAD_SCHEMAS, parsePayload, payloadProblem } from './payloads.js';

const impacts = [{ system: 'erp', ref: 'INV-1', action: 'book' }];

describe('payload schemas', () => {
  it('has one for every event type', () => {
    expect(Object.keys(PAYLOAD_SCHEMAS).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['a run start', 'run_started', { inputSha256: 'ab', triggeredBy: null, tier: 2, prompt: { id: 'p', version: 3, sha256: 'cd' }, model: { requested: 'fast', resolved: 'openai:m', served: 'm-1' } }],
    ['a run start with a keyed input fingerprint', 'run_started', { inputFingerprint: { alg: 'hmac-sha256', value: 'ab' }, triggeredBy: null, tier: 2, prompt: { id: 'p', version: 3, sha256: 'cd' }, model: { requested: 'fast', resolved: 'openai:m' } }],
    ['a run finish sampled for audit', 'run_finished', { output: 'x', confidence: 0.9, confidenceSource: 'logprobs', modelReturned: null, systemFingerprint: null, tokens: { input: 1, output: 2 }, costUsd: null, durationMs: 3, truncated: false, disposition: 'auto', audit: true }],
    ['a run finish with no confidence', 'run_finished', { output: { a: 1 }, confidence: null, disposition: 'review' }],
    ['a failure', 'run_failed', { error: { type: 'server', message: 'boom' }, durationMs: 3 }],
    ['an abandoned run', 'run_abandoned', { reason: 'the worker died', by: 'ann@example.com' }],
    ['an override', 'review_resolved', { decision: 'override', reviewer: 'ann', reason: 'wrong', output: 'y' }],
    ['an audit review', 'review_resolved', { decision: 'approve', reviewer: 'ann', reason: null, audit: true }],
    ['an action starting', 'action_started', { impacts }],
    ['an action taken', 'action_taken', { impacts, notified: true, reversibleUntil: '2026-01-01T00:00:00.000Z', result: 'ok' }],
    ['an action that threw', 'action_failed', { error: { type: 'Error', message: 'ERP down' } }],
    ['a notification', 'notification_sent', { ok: false, error: 'exit 1' }],
    ['a revert claiming the run, with who', 'revert_started', { by: 'ann', reason: 'wrong', inDoubt: false, identity: { osUser: 'ann', host: 'h', gitEmail: null } }],
    ['a reversal', 'action_reverted', { by: 'ann', reason: 'wrong', result: { ok: true, exitCode: 0, stdout: '', stderr: '' } }],
    ['a tag with no ref', 'impact_tagged', { system: 'erp', ref: null, action: null }],
    ['a tier change', 'tier_changed', { from: 1, to: 2, reason: 'evidence', by: 'ann', evidence: [] }],
    ['a monthly review', 'review_completed', { month: '2026-11', by: 'ann', flags: [] }],
    ['an eval', 'eval_completed', { suite: 's', prompt: { id: 'p', version: 1, sha256: 'x' }, model: 'openai:m', mode: 'replay', passRate: 1, passed: true, cases: 3, commit: null, dirty: false }],
    ['a pin', 'model_pinned', { name: 'fast', from: null, to: 'openai:m', by: 'ann', evidence: { how: 'resolved' } }],
    ['a mismatch', 'model_mismatch', { expected: 'openai:m', returned: 'openai:n' }],
    ['a field a newer version added', 'model_mismatch', { expected: 'a', returned: 'b', seenBy: 'proxy' }],
  ])('accepts %s', (_what, type, data) => {
    expect(payloadProblem(type as never, data)).toBeNull();
    // Parsed as it is: nothing dropped, nothing added (the hash covers it all).
    expect(parsePayload(type as never, data)).toEqual({ ok: true, data });
  });

  it.each<[string, string, Record<string, unknown>, RegExp]>([
    ['a numeric ref', 'action_taken', { impacts: [{ system: 'erp', ref: 1042 }] }, /^data\.impacts\[0\]\.ref: /],
    ['an impact without a system', 'action_started', { impacts: [{ ref: 'INV-1' }] }, /^data\.impacts\[0\]\.system/],
    ['impacts that are not a list', 'action_taken', { impacts: { system: 'erp' } }, /^data\.impacts: /],
    ['a tag with an empty system', 'impact_tagged', { system: '' }, /^data\.system/],
    ['a confidence above 1', 'run_finished', { output: 'x', confidence: 7, disposition: 'auto' }, /^data\.confidence/],
    ['a confidence given as text', 'run_finished', { output: 'x', confidence: '0.1', disposition: 'auto' }, /^data\.confidence/],
    ['a negative confidence', 'run_finished', { output: 'x', confidence: -0.1, disposition: 'auto' }, /^data\.confidence/],
    ['an unknown disposition', 'run_finished', { output: 'x', confidence: 0.5, disposition: 'yolo' }, /^data\.disposition/],
    ['an unknown decision', 'review_resolved', { decision: 'maybe', reviewer: 'ann' }, /^data\.decision/],
    ['a decision with no reviewer', 'review_resolved', { decision: 'approve' }, /^data\.reviewer/],
    ['a tier 4', 'run_started', { tier: 4, prompt: { id: 'p', version: 1, sha256: 'x' }, model: { requested: 'a', resolved: 'b' } }, /^data\.tier: a tier is 1, 2 or 3/],
    ['an abandon without a reason', 'run_abandoned', { reason: '', by: 'ann' }, /^data\.reason/],
    ['a revert claim with no one', 'revert_started', { reason: 'x' }, /^data\.by/],
    ['an unknown fingerprint algorithm', 'run_started', { inputFingerprint: { alg: 'md5', value: 'ab' }, tier: 2, prompt: { id: 'p', version: 1, sha256: 'x' }, model: { requested: 'a', resolved: 'b' } }, /^data\.inputFingerprint\.alg/],
    ['a reversal with no result', 'action_reverted', { by: 'ann', reason: 'x' }, /^data\.result/],
    ['a month that is not one', 'review_completed', { month: 'November', by: 'ann' }, /^data\.month/],
  ])('refuses %s', (_what, type, data, problem) => {
    expect(payloadProblem(type as never, data)).toMatch(problem);
    expect(parsePayload(type as never, data)).toMatchObject({ ok: false, problem: expect.stringMatching(problem) });
  });

  it('knows no payload of an unknown type', () => {
    expect(payloadProblem('run_exploded' as never, {})).toMatch(/unknown event type/);
  });
});
