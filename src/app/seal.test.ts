// Seals with Merkle roots and signatures, on each store: what `log seal`
// writes, and every way `log verify` catches a seal that no longer holds (an
// edited root, an edited or forged signature, a key not listed, a signature
// dropped) or a log that no longer matches a seal's root.
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../core/log/events.js';
import { rootOfHashes } from '../core/log/merkle-tree.js';
import { formatSeal, sealSigningText, type Seal } from '../core/log/seal.js';
import { publicKeyText, readPrivateKey, signSeal } from '../core/log/seal-keys.js';
import type { AigovError } from '../errors.js';
import { finishedData, startedData } from '../../test/support/events.js';
import { LOG_BACKENDS, type LogStore } from '../../test/support/log-stores.js';
import { verifyLog } from './log.js';
import { sealLog } from './seal.js';
import { SEALS_FILE, appendSeal, readSeals } from './seals-file.js';

const events = (from: number, n: number): NewEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type: i % 2 === 0 ? 'run_started' : 'run_finished', automation: 'inv', runId: `r${Math.floor((from + i) / 2)}`, data: i % 2 === 0 ? startedData({ n: from + i }) : finishedData({ n: from + i }) }));

function keyPair(): { privatePem: string; privateB64: string; publicB64: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    privateB64: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicB64: publicKeyText(publicKey),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

const ci = keyPair();
const other = keyPair();
const NOW = new Date('2026-03-01T00:00:00Z');

async function allHashes(w: LogStore): Promise<string[]> {
  const hashes: string[] = [];
  for await (const e of w.store.scan(1)) hashes.push(e.hash);
  return hashes;
}

function sealLines(root: string): string[] {
  return readFileSync(join(root, SEALS_FILE), 'utf8').split('\n').filter((l) => l.startsWith('{'));
}

/** Rewrites aigov.seals with `edit` applied to the seal at line `index` (0-based among seals). */
function editSeal(root: string, index: number, edit: (s: Seal) => Seal): void {
  const seals = readSeals(root).map((s, i) => (i === index ? edit(s) : s));
  writeFileSync(join(root, SEALS_FILE), `# seals\n${seals.map(formatSeal).join('\n')}\n`);
}

const flipChar = (s: string, at: number): string => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);

describe.each(LOG_BACKENDS)('seals on $name', (backend) => {
  let w: LogStore;
  const signing = { env: { AIGOV_SEAL_KEY: ci.privateB64 }, publicKeys: [{ id: 'ci', key: ci.publicB64 }] };

  beforeEach(async () => {
    w = await backend.open();
    await w.store.append(events(0, 7));
  });
  afterEach(async () => {
    await w.cleanup();
  });

  it('records the RFC 6962 root over the event hashes up to the sealed seq, and verifies it', async () => {
    const first = await sealLog(w.store, w.root, { now: NOW, env: {} });
    expect(first).toMatchObject({ seq: 7, root: rootOfHashes(await allHashes(w)), at: NOW.toISOString(), written: true });
    expect(first).not.toHaveProperty('sig');
    await w.store.append(events(7, 6));
    const second = await sealLog(w.store, w.root, { now: NOW, env: {} });
    expect(second).toMatchObject({ seq: 13, root: rootOfHashes(await allHashes(w)) });
    expect(sealLines(w.root).map((l) => JSON.parse(l) as Seal)).toEqual([first, second].map(({ written: _, ...s }) => s));
    expect(await verifyLog(w.store, w.root)).toMatchObject({ ok: true, seals: { checked: 2, bad: [] } });
  });

  it('keeps old seals without a root valid, and adds a root to a head an old seal covers', async () => {
    const [head] = (await allHashes(w)).slice(-1);
    writeFileSync(join(w.root, SEALS_FILE), `# seals\n${JSON.stringify({ seq: 7, hash: head, at: '2025-01-01T00:00:00.000Z' })}\n`);
    expect(await verifyLog(w.store, w.root)).toMatchObject({ ok: true, seals: { checked: 1, bad: [] } });
    const upgraded = await sealLog(w.store, w.root, { now: NOW, env: {} });
    expect(upgraded).toMatchObject({ seq: 7, hash: head, root: rootOfHashes(await allHashes(w)), written: true });
    expect(sealLines(w.root)).toHaveLength(2);
    expect(await sealLog(w.store, w.root, { now: NOW, env: {} })).toMatchObject({ written: false });
    expect(await verifyLog(w.store, w.root)).toMatchObject({ ok: true, seals: { checked: 2, bad: [] } });
  });

  it('signs a seal with AIGOV_SEAL_KEY (PEM or base64) under the id of its listed public key', async () => {
    const a = await sealLog(w.store, w.root, { now: NOW, ...signing });
    expect(a).toMatchObject({ seq: 7, key: 'ci', sig: expect.stringMatching(/^[A-Za-z0-9+/]{86}==$/), written: true });
    await w.store.append(events(7, 1));
    const b = await sealLog(w.store, w.root, { now: NOW, env: { AIGOV_SEAL_KEY: ci.privatePem }, publicKeys: [{ id: 'old', key: other.publicB64 }, { id: 'ci', key: ci.publicPem }] });
    expect(b).toMatchObject({ seq: 8, key: 'ci' });
    expect(await verifyLog(w.store, w.root, { publicKeys: signing.publicKeys })).toMatchObject({ ok: true, seals: { checked: 2, bad: [] } });
  });

  it.skipIf(spawnSync('openssl', ['version']).status !== 0)('signs the documented text, so openssl verifies a seal without aigov', async () => {
    const seal = await sealLog(w.store, w.root, { now: NOW, ...signing });
    const dir = w.root;
    writeFileSync(join(dir, 'msg'), sealSigningText({ ...seal, root: seal.root!, key: seal.key! }));
    writeFileSync(join(dir, 'sig'), Buffer.from(seal.sig!, 'base64'));
    writeFileSync(join(dir, 'pub.pem'), ci.publicPem);
    const out = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'msg', '-sigfile', 'sig'], { cwd: dir, encoding: 'utf8' });
    expect(out).toMatch(/Signature Verified Successfully/);
  });

  it('re-seals a head an unsigned seal covers once a key is configured, and never drops back to unsigned', async () => {
    await sealLog(w.store, w.root, { now: NOW, env: {} });
    const signed = await sealLog(w.store, w.root, { now: NOW, ...signing });
    expect(signed).toMatchObject({ seq: 7, key: 'ci', written: true });
    expect(await sealLog(w.store, w.root, { now: NOW, ...signing })).toMatchObject({ written: false });
    expect(await verifyLog(w.store, w.root, { publicKeys: signing.publicKeys })).toMatchObject({ ok: true, seals: { checked: 2 } });

    // Someone without the key appends an unsigned seal over new (perhaps rewritten) events.
    await w.store.append(events(7, 2));
    const hashes = await allHashes(w);
    appendSeal(w.root, { seq: 9, hash: hashes[8], root: rootOfHashes(hashes), at: NOW.toISOString() });
    const v = await verifyLog(w.store, w.root, { publicKeys: signing.publicKeys });
    expect(v.ok).toBe(false);
    expect(v.seals.bad).toEqual([{ seq: 9, code: 'E_SEAL_UNSIGNED', reason: expect.stringMatching(/not signed, but the seal at seq 7 is/) }]);
  });

  it.each<[string, (s: Seal) => Seal, string[], RegExp]>([
    // The root is signed too: an edited root fails both ways.
    ['an edited root', (s) => ({ ...s, root: 'ab'.repeat(32) }), ['E_SEAL_SIGNATURE', 'E_SEAL_ROOT_MISMATCH'], /Merkle root of events 1\.\.7 is .* but the seal has abababababab/],
    ['an edited root under an unlisted key', (s) => ({ ...s, root: 'ab'.repeat(32), key: 'other' }), ['E_SEAL_KEY_UNKNOWN', 'E_SEAL_ROOT_MISMATCH'], /signed by key "other", which aigov.yaml does not list/],
    ['an edited signature', (s) => ({ ...s, sig: flipChar(s.sig!, 10) }), ['E_SEAL_SIGNATURE'], /signature of the seal at seq 7 does not verify under key "ci"/],
    ['an edited time', (s) => ({ ...s, at: '2020-01-01T00:00:00.000Z' }), ['E_SEAL_SIGNATURE'], /does not verify/],
    ['a signature moved to another key id', (s) => ({ ...s, key: 'old' }), ['E_SEAL_SIGNATURE'], /does not verify under key "old"/],
    ['the signature dropped', ({ key: _k, sig: _s, ...s }) => s, ['E_SEAL_UNSIGNED'], /seal at seq 7 is not signed, but the seal at seq 5 is/],
  ])('verify fails a seal with %s, with its code', async (_what, edit, codes, reason) => {
    const listed = [...signing.publicKeys, { id: 'old', key: other.publicB64 }];
    // Two signed seals: at seq 5 (kept intact) and 7 (edited).
    const five = await sealAt(w, 5);
    const seven = await sealLog(w.store, w.root, { now: NOW, ...signing, publicKeys: listed });
    expect([five.seq, seven.seq]).toEqual([5, 7]);
    editSeal(w.root, 1, edit);
    const v = await verifyLog(w.store, w.root, { publicKeys: listed });
    expect(v.ok).toBe(false);
    expect(v.seals.bad.map((b) => [b.seq, b.code])).toEqual(codes.map((c) => [7, c]));
    expect(v.seals.bad.map((b) => b.reason).join('\n')).toMatch(reason);
    // A broken seal is never built on: sealing stops with the same code.
    await w.store.append(events(7, 1));
    const err = (await sealLog(w.store, w.root, { now: NOW, ...signing, publicKeys: listed }).catch((e: unknown) => e)) as AigovError;
    expect(err.code).toBe(codes[0]);
    expect(err.exitCode).toBe(1);
  });

  it('fails a signed seal whose key aigov.yaml no longer lists', async () => {
    await sealLog(w.store, w.root, { now: NOW, ...signing });
    const v = await verifyLog(w.store, w.root, { publicKeys: [{ id: 'new', key: other.publicB64 }] });
    expect(v.seals.bad).toEqual([{ seq: 7, code: 'E_SEAL_KEY_UNKNOWN', reason: expect.stringMatching(/key "ci"/) }]);
    expect((await verifyLog(w.store, w.root)).seals.bad.map((b) => b.code)).toEqual(['E_SEAL_KEY_UNKNOWN']);
  });

  it('catches by the root an event deleted before a seal whose own hash still matches', async () => {
    await sealLog(w.store, w.root, { now: NOW, env: {} });
    await w.tamper('DELETE FROM events WHERE seq = 3');
    const v = await verifyLog(w.store, w.root);
    expect(v.firstBad?.seq).toBe(3);
    expect(v.seals.bad).toEqual([{ seq: 7, code: 'E_SEAL_ROOT_MISMATCH', reason: expect.stringMatching(/Merkle root of events 1\.\.7/) }]);
  });

  it.each<[string, Record<string, string>, { id: string; key: string }[], RegExp, RegExp?]>([
    ['keys listed but AIGOV_SEAL_KEY unset', {}, [{ id: 'ci', key: ci.publicB64 }], /lists seal keys .* AIGOV_SEAL_KEY is not set/],
    ['AIGOV_SEAL_KEY that is not a key', { AIGOV_SEAL_KEY: 'hunter2-secret' }, [{ id: 'ci', key: ci.publicB64 }], /AIGOV_SEAL_KEY is not an Ed25519 private key/],
    ['AIGOV_SEAL_KEY that is a public key', { AIGOV_SEAL_KEY: ci.publicPem }, [{ id: 'ci', key: ci.publicB64 }], /not an Ed25519 private key/],
    ['AIGOV_SEAL_KEY whose public key is not listed', { AIGOV_SEAL_KEY: other.privateB64 }, [{ id: 'ci', key: ci.publicB64 }], /not listed in aigov.yaml/, new RegExp(other.publicB64.replace(/[+/]/g, '\\$&'))],
    ['AIGOV_SEAL_KEY with no key listed', { AIGOV_SEAL_KEY: ci.privateB64 }, [], /not listed in aigov.yaml/],
  ])('refuses to seal with %s (E_SEAL_KEY, exit 2), writing nothing', async (_what, env, publicKeys, message, hint) => {
    const err = (await sealLog(w.store, w.root, { now: NOW, env, publicKeys }).catch((e: unknown) => e)) as AigovError;
    expect(err.code).toBe('E_SEAL_KEY');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(message);
    expect(`${err.message} ${err.hint}`).not.toContain('hunter2');
    if (hint) expect(err.hint).toMatch(hint);
    expect(readSeals(w.root)).toEqual([]);
  });
});

/** Writes a seal of the log as it was at `seq`, computed and signed by hand from the documented format. */
async function sealAt(w: LogStore, seq: number): Promise<Seal> {
  const hashes = await allHashes(w);
  const fields = { seq, hash: hashes[seq - 1], root: rootOfHashes(hashes.slice(0, seq)), at: NOW.toISOString(), key: 'ci' };
  const seal: Seal = { ...fields, sig: signSeal(fields, readPrivateKey(ci.privateB64)!) };
  writeFileSync(join(w.root, SEALS_FILE), `# seals\n${formatSeal(seal)}\n`);
  return seal;
}
