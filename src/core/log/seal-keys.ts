// Ed25519 keys for signing seals, through node:crypto. A key is written as PEM
// or as the base64 of its DER (SPKI for a public key, PKCS#8 for a private
// one): the base64 form is one line, which suits aigov.yaml and CI secrets.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { sealSigningText, type Seal } from './seal.js';

export interface SealKey {
  id: string;
  key: KeyObject;
}

const BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;

function readKey(text: string, kind: 'public' | 'private'): KeyObject | null {
  const trimmed = text.trim();
  try {
    let key: KeyObject;
    if (trimmed.startsWith('-----BEGIN')) {
      // createPublicKey also takes a private key's PEM (and derives the public half): refuse that here.
      if (kind === 'public' && !trimmed.startsWith('-----BEGIN PUBLIC KEY-----')) return null;
      key = kind === 'public' ? createPublicKey(trimmed) : createPrivateKey(trimmed);
    } else if (BASE64.test(trimmed)) {
      const der = Buffer.from(trimmed.replace(/\s+/g, ''), 'base64');
      key = kind === 'public' ? createPublicKey({ key: der, format: 'der', type: 'spki' }) : createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } else {
      return null;
    }
    return key.type === kind && key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

/** An Ed25519 public key from PEM or base64 SPKI DER, or null. */
export function readPublicKey(text: string): KeyObject | null {
  return readKey(text, 'public');
}

/** An Ed25519 private key from PEM or base64 PKCS#8 DER, or null. */
export function readPrivateKey(text: string): KeyObject | null {
  return readKey(text, 'private');
}

/** Why `text` cannot be listed as a seal's public key, or null when it can. */
export function publicKeyProblem(text: string): string | null {
  if (readPublicKey(text) !== null) return null;
  if (readPrivateKey(text) !== null) return 'this is a PRIVATE key: remove it from the file, treat it as leaked, and list its public key instead';
  return 'not an Ed25519 public key (PEM, or the base64 of its SPKI DER)';
}

/** A public key as the one line aigov.yaml lists: base64 of its SPKI DER. */
export function publicKeyText(key: KeyObject): string {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' }).toString('base64');
}

export function sameKey(a: KeyObject, b: KeyObject): boolean {
  return publicKeyText(a) === publicKeyText(b);
}

type Signable = Pick<Seal, 'seq' | 'hash' | 'at'> & { root: string; key: string };

/** The base64 Ed25519 signature of a seal's signing text. */
export function signSeal(seal: Signable, privateKey: KeyObject): string {
  return sign(null, Buffer.from(sealSigningText(seal)), privateKey).toString('base64');
}

export function sealSignatureValid(seal: Seal, publicKey: KeyObject): boolean {
  if (seal.root === undefined || seal.key === undefined || seal.sig === undefined) return false;
  try {
    return verify(null, Buffer.from(sealSigningText({ ...seal, root: seal.root, key: seal.key })), publicKey, Buffer.from(seal.sig, 'base64'));
  } catch {
    return false;
  }
}
