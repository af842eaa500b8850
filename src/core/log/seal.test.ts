import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import { formatSeal, newestSeal, parseSeal, parseSeals, sealSigningText, type Seal } from './seal.js';
import { publicKeyProblem, publicKeyText, readPrivateKey, readPublicKey, sealSignatureValid, signSeal } from './seal-keys.js';

const H = 'a'.repeat(64);
const R = 'b'.repeat(64);
const SIG = `${'A'.repeat(86)}==`;

describe('seal lines', () => {
  it.each<[string, Seal]>([
    ['an old seal', { seq: 3, hash: H, at: '2026-01-01T00:00:00.000Z' }],
    ['a seal with a root', { seq: 3, hash: H, root: R, at: '2026-01-01T00:00:00.000Z' }],
    ['a signed seal', { seq: 3, hash: H, root: R, at: '2026-01-01T00:00:00.000Z', key: 'ci-2026', sig: SIG }],
  ])('round-trips %s, fields in a fixed order', (_what, seal) => {
    const line = formatSeal(seal);
    expect(parseSeal(line, 1)).toEqual(seal);
    expect(Object.keys(JSON.parse(line) as object)).toEqual(['seq', 'hash', 'root', 'at', 'key', 'sig'].filter((k) => k in seal));
  });

  it.each([
    ['a root that is not hex', `{"seq":1,"hash":"${H}","root":"xyz","at":"t"}`, /root that is not a sha256/],
    ['a key without a sig', `{"seq":1,"hash":"${H}","root":"${R}","at":"t","key":"ci"}`, /both a key and a sig, or neither/],
    ['a sig without a key', `{"seq":1,"hash":"${H}","root":"${R}","at":"t","sig":"${SIG}"}`, /both a key and a sig/],
    ['a sig without a root', `{"seq":1,"hash":"${H}","at":"t","key":"ci","sig":"${SIG}"}`, /signed but has no root/],
    ['a sig that is not a signature', `{"seq":1,"hash":"${H}","root":"${R}","at":"t","key":"ci","sig":"abc"}`, /not a base64 Ed25519 signature/],
    ['a bad key id', `{"seq":1,"hash":"${H}","root":"${R}","at":"t","key":"c i","sig":"${SIG}"}`, /key that is not a key id/],
    ['an unknown field', `{"seq":1,"hash":"${H}","at":"t","rooot":"${R}"}`, /unknown field "rooot"/],
    ['an array', '[1]', /not a JSON seal/],
  ])('refuses %s, naming its line', (_what, line, message) => {
    const text = `# header\n${line}\n`;
    let err: unknown;
    try {
      parseSeals(text, 'seals.txt');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(/^seals\.txt:2 /);
    expect((err as UsageError).message).toMatch(message);
  });

  it('takes the newest seal as the highest seq, the last of equal ones', () => {
    const a = { seq: 5, hash: H, at: 'a' };
    const b = { seq: 9, hash: H, at: 'b' };
    const c = { seq: 9, hash: H, root: R, at: 'c' };
    expect(newestSeal([a, b, c])).toBe(c);
    expect(newestSeal([b, a])).toBe(b);
    expect(newestSeal([])).toBeNull();
  });
});

describe('seal signatures', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const fields = { seq: 42, hash: H, root: R, at: '2026-03-01T00:00:00.000Z', key: 'ci' };

  it('sign a fixed text of every field but the signature', () => {
    expect(sealSigningText(fields)).toBe(`aigov seal v1\nseq 42\nhash ${H}\nroot ${R}\nat 2026-03-01T00:00:00.000Z\nkey ci\n`);
    const seal = { ...fields, sig: signSeal(fields, privateKey) };
    expect(sealSignatureValid(seal, publicKey)).toBe(true);
    for (const edit of [{ seq: 43 }, { hash: R }, { root: H }, { at: '2026-03-01T00:00:01.000Z' }, { key: 'cj' }]) {
      expect(sealSignatureValid({ ...seal, ...edit }, publicKey), JSON.stringify(edit)).toBe(false);
    }
    expect(sealSignatureValid(seal, generateKeyPairSync('ed25519').publicKey)).toBe(false);
    expect(sealSignatureValid({ ...seal, sig: 'not base64 at all' }, publicKey)).toBe(false);
  });

  it('read keys as PEM or one-line base64 DER, and nothing else', () => {
    const pub64 = publicKeyText(publicKey);
    const priv64 = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    const privPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(readPublicKey(pub64)?.asymmetricKeyType).toBe('ed25519');
    expect(readPublicKey(publicKey.export({ format: 'pem', type: 'spki' }).toString())).not.toBeNull();
    expect(readPrivateKey(priv64)?.type).toBe('private');
    expect(readPrivateKey(privPem)?.type).toBe('private');
    expect(publicKeyText(readPrivateKey(privPem)!)).toBe(pub64);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(readPublicKey(rsa)).toBeNull();
    expect(readPublicKey('hello')).toBeNull();
    expect(readPrivateKey(pub64)).toBeNull();
    // A private key listed as a public one is the mistake that leaks it: named as such.
    expect(publicKeyProblem(privPem)).toMatch(/PRIVATE key/);
    expect(publicKeyProblem(priv64)).toMatch(/PRIVATE key/);
    expect(publicKeyProblem(rsa)).toMatch(/not an Ed25519 public key/);
    expect(publicKeyProblem(pub64)).toBeNull();
  });
});
