// A seal: the run log's head as committed to aigov.seals, one JSON object a
// line. Since it sits in git, a database rewritten end to end (with a
// recomputed chain) no longer matches it; its Merkle root lets one run be
// proved against it alone; its signature says who sealed it.
import { UsageError } from '../../errors.js';

export const SEALS_FILE = 'aigov.seals';

export interface Seal {
  /** The last sealed event; the tree covers events 1..seq, so its size is seq. */
  seq: number;
  hash: string;
  /** RFC 6962 root over the hashes of events 1..seq. Absent from seals written before roots were. */
  root?: string;
  at: string;
  /** The id, in aigov.yaml `seals.publicKeys`, of the key that signed the seal. */
  key?: string;
  /** Ed25519 signature of sealSigningText, base64. */
  sig?: string;
}

const FIELDS = new Set(['seq', 'hash', 'root', 'at', 'key', 'sig']);
const HEX64 = /^[0-9a-f]{64}$/;
// An Ed25519 signature is 64 bytes.
const SIG = /^[A-Za-z0-9+/]{86}==$/;
export const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * The text a seal's signature covers: every field but the signature, one a
 * line, under a line that names the format. What `openssl pkeyutl -verify
 * -rawin` checks, byte for byte.
 */
export function sealSigningText(s: { seq: number; hash: string; root: string; at: string; key: string }): string {
  return `aigov seal v1\nseq ${s.seq}\nhash ${s.hash}\nroot ${s.root}\nat ${s.at}\nkey ${s.key}\n`;
}

/** A seal as its line in aigov.seals: JSON, the fields in a fixed order. */
export function formatSeal(s: Seal): string {
  const { seq, hash, root, at, key, sig } = s;
  return JSON.stringify({ seq, hash, root, at, key, sig });
}

function invalid(file: string, lineNo: number, what: string, hint = 'restore the file from git'): UsageError {
  return new UsageError(`${file}:${lineNo} ${what}`, { location: { file, line: lineNo }, hint });
}

export function parseSeal(line: string, lineNo: number, file = SEALS_FILE): Seal {
  if (/^(<{7}|={7}|>{7})/.test(line)) throw invalid(file, lineNo, 'is a merge conflict marker', 'keep the seal lines of both sides and drop the markers');
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw invalid(file, lineNo, 'is not a JSON seal');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(file, lineNo, 'is not a JSON seal');
  const s = value as Record<string, unknown>;
  const unknown = Object.keys(s).find((k) => !FIELDS.has(k));
  if (unknown !== undefined) throw invalid(file, lineNo, `has an unknown field "${unknown}"`, 'written by a newer aigov? upgrade it, or restore the file from git');
  const valid = Number.isSafeInteger(s.seq) && (s.seq as number) > 0 && typeof s.hash === 'string' && HEX64.test(s.hash) && typeof s.at === 'string';
  if (!valid) throw invalid(file, lineNo, 'needs a seq, a sha256 hash and a time');
  if (s.root !== undefined && !(typeof s.root === 'string' && HEX64.test(s.root))) throw invalid(file, lineNo, 'has a root that is not a sha256 hash');
  if (s.key !== undefined && !(typeof s.key === 'string' && KEY_ID.test(s.key))) throw invalid(file, lineNo, 'has a key that is not a key id');
  if (s.sig !== undefined && !(typeof s.sig === 'string' && SIG.test(s.sig))) throw invalid(file, lineNo, 'has a sig that is not a base64 Ed25519 signature');
  if ((s.key === undefined) !== (s.sig === undefined)) throw invalid(file, lineNo, 'needs both a key and a sig, or neither');
  if (s.sig !== undefined && s.root === undefined) throw invalid(file, lineNo, 'is signed but has no root');
  const seal: Seal = { seq: s.seq as number, hash: s.hash as string, at: s.at as string };
  if (s.root !== undefined) seal.root = s.root as string;
  if (s.sig !== undefined) {
    seal.key = s.key as string;
    seal.sig = s.sig as string;
  }
  return seal;
}

/** Every seal in the text of an aigov.seals file, in file order; blank lines and # comments skipped. */
export function parseSeals(text: string, file = SEALS_FILE): Seal[] {
  const seals: Seal[] = [];
  text.split('\n').forEach((raw, n) => {
    const line = raw.trim();
    if (line !== '' && !line.startsWith('#')) seals.push(parseSeal(line, n + 1, file));
  });
  return seals;
}

/** The seals ordered by seq; seals of one seq keep their file order. */
export function bySeq(seals: readonly Seal[]): Seal[] {
  return [...seals].sort((a, b) => a.seq - b.seq);
}

/** The newest seal: the highest seq, and of those the last in the file. */
export function newestSeal(seals: readonly Seal[]): Seal | null {
  return seals.reduce<Seal | null>((best, s) => (best && best.seq > s.seq ? best : s), null);
}
