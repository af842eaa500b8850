// Run proofs on each store: what `log prove` writes and refuses, and every
// part of a proof tampered with, each failing `check-proof` with its own code
// and a message that says what was changed.
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalText } from '../core/log/canonical-text.js';
import { hashEvent } from '../core/log/chain.js';
import type { LoggedEvent, NewEvent } from '../core/log/events.js';
import { rootOfHashes } from '../core/log/merkle-tree.js';
import type { RunProof } from '../core/log/proof.js';
import { formatSeal, type Seal } from '../core/log/seal.js';
import { publicKeyText, readPrivateKey, readPublicKey, signSeal, type SealKey } from '../core/log/seal-keys.js';
import type { AigovError } from '../errors.js';
import { finishedData, startedData } from '../../test/support/events.js';
import { LOG_BACKENDS, type LogStore } from '../../test/support/log-stores.js';
import { checkProofFile, checkProofIn, proveRun, writeProof } from './proof.js';
import { sealLog } from './seal.js';
import { SEALS_FILE, appendSeal, readSeals } from './seals-file.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const PRIVATE = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
const LISTED = [{ id: 'ci', key: publicKeyText(publicKey) }];
const KEYS: SealKey[] = [{ id: 'ci', key: readPublicKey(LISTED[0].key)! }];
const NOW = new Date('2026-03-01T00:00:00Z');

/** 23 events: five runs interleaved, and events of no run between them. */
function history(): NewEvent[] {
  const out: NewEvent[] = [];
  for (let i = 0; i < 23; i++) {
    const run = `r${i % 5}`;
    if (i % 7 === 6) out.push({ type: 'eval_completed', data: { suite: 'inv', passRate: 1 } });
    else {
      const extra = { secret: `${run}-payload-${i}`, n: i };
      const [type, data] = i < 5 ? (['run_started', startedData(extra)] as const) : i < 15 ? (['run_finished', finishedData(extra)] as const) : (['review_resolved', { decision: 'approve', reviewer: 'ann', ...extra }] as const);
      out.push({ type, automation: 'book', runId: run, actor: 'svc', data });
    }
  }
  return out;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const flip = (hex: string): string => (hex[0] === '0' ? '1' : '0') + hex.slice(1);

describe.each(LOG_BACKENDS)('run proofs on $name', (backend) => {
  let w: LogStore;
  let proof: RunProof;

  const check = (p: RunProof, opts: { keys?: SealKey[]; seals?: Seal[] } = {}) => {
    const file = join(w.root, 'tampered.json');
    writeProof(file, p);
    const sealsPath = join(w.root, 'check.seals');
    writeFileSync(sealsPath, `${(opts.seals ?? readSeals(w.root)).map(formatSeal).join('\n')}\n`);
    return checkProofFile(file, { sealsPath, keys: opts.keys ?? KEYS });
  };

  beforeEach(async () => {
    w = await backend.open();
    await w.store.append(history());
    await sealLog(w.store, w.root, { now: NOW, env: { AIGOV_SEAL_KEY: PRIVATE }, publicKeys: LISTED });
    proof = await proveRun(w.store, w.root, 'r2');
  });
  afterEach(async () => {
    await w.cleanup();
  });

  it("holds the run's events as stored, with RFC 6962 paths against the newest seal, and checks", async () => {
    const stored = await w.store.query({ runId: 'r2', order: 'asc' });
    expect(proof).toMatchObject({ format: 'aigov-run-proof', version: 1, runId: 'r2', treeSize: 23, seal: { seq: 23, key: 'ci' } });
    expect(proof.events.map((e) => e.event)).toEqual(stored);
    expect(proof.events.map((e) => e.leafIndex)).toEqual(stored.map((e) => e.seq - 1));
    // Leaves 2, 7, 12 sit in the perfect left half [0, 16); 17 in [16, 20); 22 is the last, beside [20, 22).
    expect(proof.events.map((e) => [e.leafIndex, e.inclusionPath.length])).toEqual([[2, 5], [7, 5], [12, 5], [17, 4], [22, 3]]);
    const c = check(proof);
    expect(c).toMatchObject({ ok: true, runId: 'r2', seal: { seq: 23, signedBy: 'ci' }, problems: [] });
    expect(c.events.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));
  });

  it("shows no other run's data", () => {
    const text = JSON.stringify(proof);
    for (const other of ['r0', 'r1', 'r3', 'r4']) expect(text).not.toContain(`${other}-payload`);
    expect(text).not.toContain('eval_completed');
  });

  it('stays valid as the log grows and newer seals are committed', async () => {
    await w.store.append(history().slice(0, 9));
    await sealLog(w.store, w.root, { now: NOW, env: { AIGOV_SEAL_KEY: PRIVATE }, publicKeys: LISTED });
    expect(readSeals(w.root)).toHaveLength(2);
    expect(check(proof).ok).toBe(true);
    const newer = await proveRun(w.store, w.root, 'r2');
    expect(newer.seal.seq).toBe(32);
    expect(newer.events.length).toBeGreaterThan(proof.events.length);
    expect(check(newer)).toMatchObject({ ok: true, firstSealed: null });
  });

  describe('against a newer seal than the one that first covered the run', () => {
    let older: RunProof;
    beforeEach(async () => {
      await w.store.append(Array.from({ length: 9 }, (_, i) => ({ type: 'run_started', automation: 'book', runId: `later-${i}`, data: startedData() })));
      await sealLog(w.store, w.root, { now: NOW, env: { AIGOV_SEAL_KEY: PRIVATE }, publicKeys: LISTED });
      older = await proveRun(w.store, w.root, 'r0');
    });

    it('shows the newer seal extends the first seal that covered the run', () => {
      expect(older.sealedBy).toMatchObject({ seal: { seq: 23, key: 'ci' }, consistencyPath: expect.any(Array) });
      expect(older.sealedBy!.consistencyPath.length).toBeGreaterThan(0);
      expect(check(older)).toMatchObject({ ok: true, seal: { seq: 32 }, firstSealed: { seq: 23, at: NOW.toISOString() } });
    });

    it.each<[string, (p: RunProof) => void, string, RegExp]>([
      ['a consistency path element changed', (p) => void (p.sealedBy!.consistencyPath[0] = flip(p.sealedBy!.consistencyPath[0])), 'E_PROOF_CONSISTENCY', /the seal at seq 32 does not extend the seal at seq 23: the log sealed then was rewritten/],
      ['the first seal left out', (p) => void delete p.sealedBy, 'E_PROOF_CONSISTENCY', /the run was first sealed at seq 23 .*, but the proof does not show that the seal at seq 32 extends that one/],
      ['the first seal edited', (p) => void (p.sealedBy!.seal.root = flip(p.sealedBy!.seal.root)), 'E_PROOF_SEAL', /the first seal of the run at seq 23 differs from the one in aigov\.seals in its root/],
    ])('fails with %s', (_what, tamper, code, message) => {
      const bad = clone(older);
      tamper(bad);
      const c = check(bad);
      expect(c.problems.map((p) => p.code)).toContain(code);
      expect(c.problems.find((p) => p.code === code)!.message).toMatch(message);
    });

    it('fails a log rewritten after its first seal and sealed again, even signed with the real key', async () => {
      // The attacker holds the database and the signing key: rewrites r0's first event, recomputes the chain, seals by hand.
      const events: LoggedEvent[] = [];
      for await (const e of w.store.scan(1)) events.push(e);
      let prev = events[0].prevHash;
      const sql: string[] = [];
      for (const e of events) {
        const data = e.seq === 1 ? { ...e.data, secret: 'forged' } : e.data;
        const hash = hashEvent(prev, { ...e, data });
        sql.push(`UPDATE events SET data = '${canonicalText(data).replace(/'/g, "''")}', prev_hash = '${prev}', hash = '${hash}' WHERE seq = ${e.seq}`);
        Object.assign(e, { data, prevHash: prev, hash });
        prev = hash;
      }
      await w.tamper(sql.join(';\n'));
      const honest = readSeals(w.root);
      const fields = { seq: 32, hash: prev, root: rootOfHashes(events.map((e) => e.hash)), at: NOW.toISOString(), key: 'ci' };
      const forgedSeal: Seal = { ...fields, sig: signSeal(fields, readPrivateKey(PRIVATE)!) };
      appendSeal(w.root, forgedSeal);
      // prove itself refuses: the newest seal does not extend the first one.
      await expect(proveRun(w.store, w.root, 'r0')).rejects.toMatchObject({ code: 'E_SEAL_MISMATCH', message: expect.stringMatching(/sealed at seq 23 was rewritten/) });
      // A proof made against the forged seal alone (as if the older seal were hidden) checks against it alone...
      writeFileSync(join(w.root, SEALS_FILE), `${formatSeal(forgedSeal)}\n`);
      const forged = await proveRun(w.store, w.root, 'r0');
      expect(check(forged, { seals: [forgedSeal] }).ok).toBe(true);
      // ...but not against the aigov.seals git holds, where the first seal of the run is still there.
      const c = check(forged, { seals: [...honest, forgedSeal] });
      expect(c.problems.map((p) => p.code)).toEqual(['E_PROOF_CONSISTENCY']);
    });
  });

  const tampers: [string, (p: RunProof) => void, string, RegExp][] = [
    ['an event field', (p) => void (p.events[1].event.data.secret = 'r2-edited'), 'E_PROOF_EVENT', /event \d+ \(run_finished\) does not hash to its recorded hash .*: a field of it was edited/],
    ['the event time', (p) => void (p.events[0].event.at = '2020-01-01T00:00:00.000Z'), 'E_PROOF_EVENT', /does not hash to its recorded hash/],
    ['the event type', (p) => void (p.events[2].event.type = 'run_failed'), 'E_PROOF_EVENT', /\(run_failed\) does not hash/],
    ['an event hash', (p) => void (p.events[0].event.hash = flip(p.events[0].event.hash)), 'E_PROOF_EVENT', /does not hash to its recorded hash/],
    ['a prevHash', (p) => void (p.events[0].event.prevHash = flip(p.events[0].event.prevHash)), 'E_PROOF_EVENT', /does not hash/],
    ['a path element', (p) => void (p.events[1].inclusionPath[2] = flip(p.events[1].inclusionPath[2])), 'E_PROOF_INCLUSION', /inclusion path does not lead to the Merkle root .* of the seal at seq 23/],
    ['a path cut short', (p) => void p.events[0].inclusionPath.pop(), 'E_PROOF_INCLUSION', /inclusion path does not lead/],
    ['the leaf index', (p) => void (p.events[0].leafIndex += 1), 'E_PROOF_INCLUSION', /has leafIndex \d+, but its leaf is seq - 1 = \d+/],
    ['the tree size', (p) => void (p.treeSize -= 1), 'E_PROOF_INCLUSION', /treeSize 22 is not the size of the sealed tree: the seal covers events 1\.\.23/],
    ['the seal root', (p) => void (p.seal.root = flip(p.seal.root)), 'E_PROOF_SEAL', /the proof's seal at seq 23 differs from the one in aigov\.seals in its root/],
    ['the seal signature', (p) => void (p.seal.sig = `${p.seal.sig!.slice(0, 10)}${p.seal.sig![10] === 'A' ? 'B' : 'A'}${p.seal.sig!.slice(11)}`), 'E_PROOF_SEAL', /differs from the one in aigov\.seals in its sig/],
    ['the seal seq', (p) => void (p.seal.seq = 22), 'E_PROOF_SEAL', /the proof's seal \(seq 22, .*\) is not in aigov\.seals/],
  ];

  it.each(tampers)('fails a proof with %s changed, with its code and what changed', (_what, tamper, code, message) => {
    const bad = clone(proof);
    tamper(bad);
    const c = check(bad);
    expect(c.ok).toBe(false);
    expect(c.problems.map((p) => p.code)).toContain(code);
    expect(c.problems.find((p) => p.code === code)!.message).toMatch(message);
  });

  it("fails an event swapped in from another run, even with that event's own valid path", async () => {
    const other = await proveRun(w.store, w.root, 'r3');
    const bad = clone(proof);
    bad.events[1] = other.events[1];
    bad.events.sort((a, b) => a.event.seq - b.event.seq);
    const c = check(bad);
    expect(c.problems).toEqual([{ code: 'E_PROOF_EVENT', seq: other.events[1].event.seq, message: expect.stringMatching(/belongs to run "r3", not r2/) }]);
  });

  it('fails when the seal is missing from aigov.seals', () => {
    const c = check(proof, { seals: [] });
    expect(c.problems).toEqual([{ code: 'E_PROOF_SEAL', message: expect.stringMatching(/seal \(seq 23, .*\) is not in aigov\.seals/) }]);
  });

  it('fails a root rewritten in both the proof and aigov.seals: by the paths, and by the signature', () => {
    const bad = clone(proof);
    bad.seal.root = flip(bad.seal.root);
    const c = check(bad, { seals: [bad.seal] });
    expect(c.problems.map((p) => p.code)).toEqual(['E_SEAL_SIGNATURE', ...bad.events.map(() => 'E_PROOF_INCLUSION')]);
  });

  it('fails a signature forged in both the proof and aigov.seals, and a key the checker does not trust', () => {
    const bad = clone(proof);
    bad.seal.sig = `${'A'.repeat(86)}==`;
    expect(check(bad, { seals: [bad.seal] }).problems).toEqual([{ code: 'E_SEAL_SIGNATURE', message: expect.stringMatching(/signature of the seal at seq 23 does not verify under key "ci"/) }]);
    expect(check(proof, { keys: [] }).problems).toEqual([{ code: 'E_SEAL_KEY_UNKNOWN', message: expect.stringMatching(/signed by key "ci", which aigov.yaml does not list/) }]);
    const impostor = { id: 'ci', key: generateKeyPairSync('ed25519').publicKey };
    expect(check(proof, { keys: [impostor] }).problems.map((p) => p.code)).toEqual(['E_SEAL_SIGNATURE']);
  });

  it('fails a proof against an unsigned seal appended after a signed one', async () => {
    await w.store.append(history().slice(0, 2));
    const hashes: string[] = [];
    for await (const e of w.store.scan(1)) hashes.push(e.hash);
    appendSeal(w.root, { seq: 25, hash: hashes[24], root: rootOfHashes(hashes), at: NOW.toISOString() });
    const unsigned = await proveRun(w.store, w.root, 'r2');
    expect(check(unsigned).problems).toEqual([{ code: 'E_SEAL_UNSIGNED', message: expect.stringMatching(/seal at seq 25 is not signed, but the seal at seq 23 is/) }]);
  });

  it.each<[string, string, RegExp]>([
    ['not JSON', '{"format": ', /is not JSON/],
    ['another kind of file', '{"seq": 1}', /is not a run proof/],
    ['a newer version', '{"format": "aigov-run-proof", "version": 2}', /is of version 2; this aigov reads version 1/],
    ['a missing field', 'DROP treeSize', /treeSize/],
    ['a path element that is not a hash', 'BAD PATH', /at events\.0\.inclusionPath\.0: a sha256 hash/],
    ['events out of order', 'REVERSE', /events must be in seq order/],
  ])('refuses a proof file that is %s (E_PROOF_FORMAT, exit 2)', (_what, text, message) => {
    const file = join(w.root, 'odd.json');
    const p = clone(proof);
    if (text === 'DROP treeSize') delete (p as Partial<RunProof>).treeSize;
    if (text === 'BAD PATH') p.events[0].inclusionPath[0] = 'zz';
    if (text === 'REVERSE') p.events.reverse();
    writeFileSync(file, text.startsWith('{') ? text : JSON.stringify(p));
    const err = (() => {
      try {
        checkProofFile(file, { sealsPath: join(w.root, SEALS_FILE), keys: KEYS });
      } catch (e) {
        return e as AigovError;
      }
      throw new Error('accepted');
    })();
    expect([err.code, err.exitCode]).toEqual(['E_PROOF_FORMAT', 2]);
    expect(err.message).toMatch(message);
  });

  it('finds what it trusts: the workspace, else the current folder, and --seals and --public-key over both', () => {
    const audit = mkdtempSync(join(tmpdir(), 'aigov-audit-'));
    try {
      writeProof(join(audit, 'proof.json'), proof);
      copyFileSync(join(w.root, SEALS_FILE), join(audit, 'aigov.seals'));
      writeFileSync(join(audit, 'ci.pub'), `${LISTED[0].key}\n`);
      const env = {};
      expect(checkProofIn('proof.json', { cwd: audit, env }).problems.map((p) => p.code)).toEqual(['E_SEAL_KEY_UNKNOWN']);
      expect(checkProofIn('proof.json', { cwd: audit, env, publicKeys: ['ci=ci.pub'] }).ok).toBe(true);
      // The workspace's aigov.yaml lists the key; its aigov.seals is the one trusted.
      writeFileSync(join(w.root, 'aigov.yaml'), `version: 1\nmodels: {}\nseals:\n  publicKeys:\n    - { id: ci, key: ${LISTED[0].key} }\n`);
      expect(checkProofIn(join(audit, 'proof.json'), { cwd: w.root, env }).ok).toBe(true);
      expect(checkProofIn(join(audit, 'proof.json'), { root: w.root, cwd: audit, env }).ok).toBe(true);
      writeFileSync(join(audit, 'other.seals'), '# nothing sealed here\n');
      expect(checkProofIn('proof.json', { cwd: audit, env, seals: 'other.seals', publicKeys: ['ci=ci.pub'] }).problems.map((p) => p.code)).toEqual(['E_PROOF_SEAL']);
      expect(() => checkProofIn('proof.json', { cwd: audit, env, seals: 'missing.seals' })).toThrow(/no aigov\.seals at .*missing\.seals/);
      expect(() => checkProofIn('proof.json', { cwd: audit, env, publicKeys: ['ci'] })).toThrow(/expected ID=FILE/);
      expect(() => checkProofIn('proof.json', { cwd: audit, env, publicKeys: ['ci=proof.json'] })).toThrow(/is not an Ed25519 public key/);
      expect(() => checkProofIn('proof.json', { cwd: audit, env, root: audit })).toThrow(/no aigov\.yaml/);
      expect(() => checkProofIn('absent.json', { cwd: audit, env })).toThrow(/no proof at .*absent\.json/);
    } finally {
      rmSync(audit, { recursive: true, force: true });
    }
  });

  it('refuses to prove a run with events after the newest seal, saying to seal', async () => {
    await w.store.append([{ type: 'run_failed', automation: 'book', runId: 'r2', data: { error: { type: 'Error', message: 'boom' } } }]);
    const err = (await proveRun(w.store, w.root, 'r2').catch((e: unknown) => e)) as AigovError;
    expect([err.code, err.exitCode]).toEqual(['E_NOT_SEALED', 2]);
    expect(err.message).toMatch(/run r2 has events up to seq 24, after the newest seal \(seq 23\)/);
    expect(err.hint).toMatch(/aigov log seal/);
    // Another run, entirely before the seal, can still be proved.
    expect((await proveRun(w.store, w.root, 'r3')).seal.seq).toBe(23);
  });

  it('refuses to prove without a seal with a root, or an unknown run', async () => {
    const seal = readSeals(w.root)[0];
    writeFileSync(join(w.root, SEALS_FILE), '');
    await expect(proveRun(w.store, w.root, 'r2')).rejects.toMatchObject({ code: 'E_NOT_SEALED', message: expect.stringMatching(/holds no seal/) });
    writeFileSync(join(w.root, SEALS_FILE), `${JSON.stringify({ seq: seal.seq, hash: seal.hash, at: seal.at })}\n`);
    await expect(proveRun(w.store, w.root, 'r2')).rejects.toMatchObject({ code: 'E_NOT_SEALED', message: expect.stringMatching(/has no Merkle root/) });
    writeFileSync(join(w.root, SEALS_FILE), `${formatSeal(seal)}\n`);
    await expect(proveRun(w.store, w.root, 'nope')).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/no run nope/) });
  });

  it('refuses to prove against a seal the log no longer matches', async () => {
    await w.tamper(`UPDATE events SET hash = '${'c'.repeat(64)}' WHERE seq = 4`);
    await expect(proveRun(w.store, w.root, 'r2')).rejects.toMatchObject({ code: 'E_SEAL_MISMATCH', exitCode: 1 });
  });

  it("refuses to prove a run whose row was edited under a hash that still matches the seal", async () => {
    const seq = proof.events[1].event.seq;
    await w.tamper(`UPDATE events SET data = '{"confidence":0.9,"disposition":"auto","output":"forged"}' WHERE seq = ${seq}`);
    await expect(proveRun(w.store, w.root, 'r2')).rejects.toMatchObject({ code: 'E_CHAIN_BROKEN', message: expect.stringMatching(new RegExp(`event ${seq} .*does not hash`)) });
    expect(readFileSync(join(w.root, SEALS_FILE), 'utf8')).toContain(proof.seal.root);
  });
});
