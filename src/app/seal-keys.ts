// Where seal keys come from: the public keys from aigov.yaml (`seals.publicKeys`,
// committed), the private key from the environment only (AIGOV_SEAL_KEY, a CI
// secret), never from a file in the workspace.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KEY_ID } from '../core/log/seal.js';
import { publicKeyText, readPrivateKey, readPublicKey, sameKey, type SealKey } from '../core/log/seal-keys.js';
import type { Workspace } from '../core/workspace/workspace.js';
import { InvalidWorkspaceError, UsageError } from '../errors.js';
import { systemClock } from './context.js';

export const SEAL_KEY_ENV = 'AIGOV_SEAL_KEY';

export interface ListedKey {
  id: string;
  key: string;
}

/** The keys aigov.yaml lists (its schema has already refused any that does not read). */
export function listedKeys(listed: readonly ListedKey[] = []): SealKey[] {
  return listed.map(({ id, key }) => {
    const k = readPublicKey(key);
    if (!k) throw new UsageError(`aigov.yaml seals.publicKeys "${id}" is not an Ed25519 public key`, { code: 'E_INVALID' });
    return { id, key: k };
  });
}

/**
 * The key to sign a new seal with, and its id: the listed public key that is
 * the private key's own. None when AIGOV_SEAL_KEY is unset and no key is
 * listed; where keys are listed every seal must be signed, so it is refused.
 */
export function sealSigner(env: Record<string, string | undefined>, keys: readonly SealKey[], now: Date = systemClock()): SealKey | null {
  const text = env[SEAL_KEY_ENV];
  if (text === undefined || text.trim() === '') {
    if (keys.length === 0) return null;
    throw new UsageError(`aigov.yaml lists seal keys (seals.publicKeys), so seals must be signed, but ${SEAL_KEY_ENV} is not set`, {
      code: 'E_SEAL_KEY',
      hint: `set ${SEAL_KEY_ENV} to the Ed25519 private key (PEM, or base64 PKCS#8 DER), as the sealing CI job does`,
    });
  }
  const key = readPrivateKey(text);
  // The message never quotes the variable: it holds a secret.
  if (!key) throw new UsageError(`${SEAL_KEY_ENV} is not an Ed25519 private key`, { code: 'E_SEAL_KEY', hint: 'PEM ("-----BEGIN PRIVATE KEY-----"), or the base64 of its PKCS#8 DER' });
  const listed = keys.find((k) => sameKey(k.key, key));
  if (!listed) {
    throw new UsageError(`the public key of ${SEAL_KEY_ENV} is not listed in aigov.yaml`, {
      code: 'E_SEAL_KEY',
      hint: `add it under seals.publicKeys, e.g. { id: ci-${now.getUTCFullYear()}, key: ${publicKeyText(key)} }`,
    });
  }
  return { id: listed.id, key };
}

/** `ID=FILE` of `check-proof --public-key`: a public key an auditor trusts, from a PEM or base64 file. */
export function keyFromFlag(spec: string, cwd = process.cwd()): SealKey {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--public-key ${spec}: expected ID=FILE`, { hint: 'e.g. --public-key ci=seal-key.pub.pem' });
  const [id, file] = [spec.slice(0, eq), spec.slice(eq + 1)];
  if (!KEY_ID.test(id)) throw new UsageError(`--public-key ${spec}: "${id}" is not a key id`, { hint: 'letters, digits, "_", "-" or ".", as in aigov.yaml seals.publicKeys' });
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(`--public-key ${id}: cannot read ${file}: ${(err as Error).message}`);
  }
  const key = readPublicKey(text);
  if (!key) throw new UsageError(`--public-key ${id}: ${file} is not an Ed25519 public key`, { hint: 'PEM ("-----BEGIN PUBLIC KEY-----"), or the base64 of its SPKI DER' });
  return { id, key };
}

/** The seal keys a workspace lists; an aigov.yaml that fails its schema is reported, not read as listing none. */
export function workspaceKeys(ws: Workspace): ListedKey[] {
  if (!ws.config) {
    const problems = ws.problems.filter((p) => p.file === 'aigov.yaml' && p.severity === 'error');
    if (problems.length > 0) throw new InvalidWorkspaceError(problems);
    return [];
  }
  return ws.config.value.seals?.publicKeys ?? [];
}
