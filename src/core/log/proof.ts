// A run proof: one run's events, as stored, each with its RFC 6962 inclusion
// proof against a seal's Merkle root. Checking it needs the proof and
// aigov.seals, nothing else: no database, and no other run's events.
import * as z from 'zod';
import type { ErrorCode } from '../../errors.js';
import { UsageError } from '../../errors.js';
import { hashEvent, type HashedFields } from './chain.js';
import type { LoggedEvent } from './events.js';
import { hashLeaf, verifyConsistency, verifyInclusion } from './merkle.js';
import { signatureProblems } from './seal-check.js';
import { KEY_ID, bySeq, type Seal } from './seal.js';
import type { SealKey } from './seal-keys.js';

export const PROOF_FORMAT = 'aigov-run-proof';
/** Bump when the layout changes; check-proof refuses versions it does not know. */
export const PROOF_VERSION = 1;

export interface ProvedEvent {
  /** seq - 1: the event's leaf in the tree. */
  leafIndex: number;
  /** The RFC 6962 audit path, leaf to root, hex. */
  inclusionPath: string[];
  event: LoggedEvent;
}

export interface RunProof {
  format: typeof PROOF_FORMAT;
  version: typeof PROOF_VERSION;
  runId: string;
  /** The seal as aigov.seals holds it. */
  seal: RootedSeal;
  /** The tree the paths are in: events 1..seal.seq. */
  treeSize: number;
  /**
   * The first seal that covered the run, when it is older than `seal`, and the
   * RFC 6962 consistency proof that `seal`'s tree extends its tree: the run was
   * in the log, as it is here, when that seal was made, and nothing sealed then
   * has been rewritten since.
   */
  sealedBy?: { seal: RootedSeal; consistencyPath: string[] };
  events: ProvedEvent[];
}

export type RootedSeal = Seal & { root: string };

/**
 * The earliest seal with a root that covers an event at `lastSeq` and is older
 * than the seal at `seq`: the one a proof against that seal must show it extends.
 */
export function firstSealCovering(seals: readonly Seal[], lastSeq: number, seq: number): RootedSeal | null {
  const covering = bySeq(seals).find((s) => s.root !== undefined && s.seq >= lastSeq && s.seq < seq);
  return covering ? { ...covering, root: covering.root! } : null;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 hash in lowercase hex');
const seq = z.int().min(1);

const sealSchema = z.strictObject({
  seq,
  hash: hex64,
  root: hex64,
  at: z.string(),
  key: z.string().regex(KEY_ID).optional(),
  sig: z.string().optional(),
});

const proofSchema = z.strictObject({
  format: z.literal(PROOF_FORMAT),
  version: z.literal(PROOF_VERSION),
  runId: z.string().min(1),
  seal: sealSchema,
  treeSize: z.int().min(0),
  sealedBy: z.strictObject({ seal: sealSchema, consistencyPath: z.array(hex64).max(128) }).optional(),
  events: z
    .array(
      z.strictObject({
        leafIndex: z.int().min(0),
        inclusionPath: z.array(hex64).max(64),
        event: z.strictObject({
          v: z.int(),
          seq,
          id: z.string(),
          type: z.string(),
          at: z.string(),
          automation: z.string().nullable(),
          runId: z.string().nullable(),
          actor: z.string().nullable(),
          data: z.record(z.string(), z.unknown()),
          prevHash: hex64,
          hash: hex64,
        }),
      }),
    )
    .min(1),
});

function formatError(file: string, message: string, hint?: string): UsageError {
  return new UsageError(`the proof ${message}`, { code: 'E_PROOF_FORMAT', location: { file }, hint });
}

/** Reads a proof file's text; a file that is not a proof of a known version is a usage error (exit 2). */
export function parseProof(text: string, file: string): RunProof {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw formatError(file, 'is not JSON');
  }
  const head = value as { format?: unknown; version?: unknown } | null;
  if (typeof head !== 'object' || head === null || head.format !== PROOF_FORMAT) throw formatError(file, `is not a run proof (no "format": "${PROOF_FORMAT}")`, 'write one with `aigov log prove RUN -o FILE`');
  if (head.version !== PROOF_VERSION) {
    throw formatError(file, `is of version ${JSON.stringify(head.version)}; this aigov reads version ${PROOF_VERSION}`, 'check it with the aigov that wrote it, or a newer one');
  }
  const parsed = proofSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw formatError(file, `is not valid at ${issue.path.join('.') || 'its top'}: ${issue.message}`);
  }
  const proof = parsed.data as RunProof;
  proof.events.forEach((e, i) => {
    if (i > 0 && e.event.seq <= proof.events[i - 1].event.seq) throw formatError(file, `is not valid at events.${i}: events must be in seq order, each once`);
  });
  return proof;
}

export interface ProofProblem {
  code: ErrorCode;
  /** The event the problem is about; absent for the seal. */
  seq?: number;
  message: string;
}

export interface ProofCheck {
  ok: boolean;
  runId: string;
  seal: { seq: number; at: string; root: string; signedBy: string | null };
  /** The first seal that covered the run, where the proof shows the newer seal extends it. */
  firstSealed: { seq: number; at: string } | null;
  events: { seq: number; type: string }[];
  problems: ProofProblem[];
}

const SEAL_FIELDS = ['hash', 'root', 'at', 'key', 'sig'] as const;
const short = (hash: string): string => `${hash.slice(0, 12)}…`;

/** The seal in aigov.seals that the proof's seal is, or the problem that there is none. */
function findSeal(proofSeal: RootedSeal, seals: readonly Seal[], which = "the proof's seal"): { seal: Seal | null; problem?: ProofProblem } {
  const sameSeq = seals.filter((s) => s.seq === proofSeal.seq);
  const same = sameSeq.find((s) => SEAL_FIELDS.every((f) => s[f] === proofSeal[f]));
  if (same) return { seal: same };
  if (sameSeq.length === 0) {
    return { seal: null, problem: { code: 'E_PROOF_SEAL', message: `${which} (seq ${proofSeal.seq}, ${proofSeal.at}) is not in aigov.seals: it was never committed, or this is another workspace's seals file` } };
  }
  const differs = SEAL_FIELDS.filter((f) => sameSeq[0][f] !== proofSeal[f]);
  return { seal: null, problem: { code: 'E_PROOF_SEAL', message: `${which} at seq ${proofSeal.seq} differs from the one in aigov.seals in its ${differs.join(', ')}` } };
}

function checkEvent(p: ProvedEvent, proof: RunProof, root: string): ProofProblem | null {
  const e = p.event;
  const at = `event ${e.seq} (${e.type})`;
  if (e.runId !== proof.runId) return { code: 'E_PROOF_EVENT', seq: e.seq, message: `${at} belongs to run ${JSON.stringify(e.runId)}, not ${proof.runId}` };
  const { prevHash, hash, ...fields } = e;
  if (hashEvent(prevHash, fields as HashedFields) !== hash) {
    return { code: 'E_PROOF_EVENT', seq: e.seq, message: `${at} does not hash to its recorded hash ${short(hash)}: a field of it was edited` };
  }
  if (p.leafIndex !== e.seq - 1) return { code: 'E_PROOF_INCLUSION', seq: e.seq, message: `${at} has leafIndex ${p.leafIndex}, but its leaf is seq - 1 = ${e.seq - 1}` };
  if (e.seq > proof.treeSize) return { code: 'E_PROOF_INCLUSION', seq: e.seq, message: `${at} is after the end of the sealed tree (${proof.treeSize} events)` };
  if (!verifyInclusion(p.leafIndex, proof.treeSize, hashLeaf(Buffer.from(hash, 'hex')), p.inclusionPath, root)) {
    return { code: 'E_PROOF_INCLUSION', seq: e.seq, message: `${at}: its inclusion path does not lead to the Merkle root ${short(root)} of the seal at seq ${proof.seal.seq}` };
  }
  return null;
}

/** What is wrong with the proof's events against a Merkle root: each hashes to its hash and is a leaf of the tree. */
export function eventProblems(proof: RunProof, root: string): ProofProblem[] {
  return proof.events.map((p) => checkEvent(p, proof, root)).filter((p): p is ProofProblem => p !== null);
}

/**
 * Checks a proof against the seals of aigov.seals and the public keys trusted
 * for them: the seal is in the file as it is in the proof, its signature holds
 * where it is signed, and every event hashes to its hash and is a leaf of the
 * seal's tree. Every problem is reported, not only the first.
 */
export function checkProof(proof: RunProof, seals: readonly Seal[], keys: readonly SealKey[]): ProofCheck {
  const problems: ProofProblem[] = [];
  const found = findSeal(proof.seal, seals);
  if (found.problem) problems.push(found.problem);
  const seal = found.seal ?? proof.seal;
  problems.push(...signatureOf(seal, seals, keys));
  if (proof.treeSize !== seal.seq) {
    problems.push({ code: 'E_PROOF_INCLUSION', message: `treeSize ${proof.treeSize} is not the size of the sealed tree: the seal covers events 1..${seal.seq}` });
  }
  const root = seal.root ?? proof.seal.root;
  const first = checkSealedBy(proof, seals, keys, root, problems);
  problems.push(...eventProblems(proof, root));
  return {
    ok: problems.length === 0,
    runId: proof.runId,
    seal: { seq: seal.seq, at: seal.at, root, signedBy: seal.sig ? (seal.key ?? null) : null },
    firstSealed: first ? { seq: first.seq, at: first.at } : null,
    events: proof.events.map((p) => ({ seq: p.event.seq, type: p.event.type })),
    problems,
  };
}

/** The signature rules of `log verify` for one seal, and the seals before it (an unsigned seal after a signed one fails). */
function signatureOf(seal: Seal, seals: readonly Seal[], keys: readonly SealKey[]): ProofProblem[] {
  const earlier = seals.filter((s) => s.seq < seal.seq);
  return signatureProblems([...earlier, seal], keys)
    .filter((p) => p.seq === seal.seq)
    .map((p) => ({ code: p.code, message: p.reason }));
}

/**
 * Where aigov.seals holds an older seal that already covered the run, the
 * proof must show the newer seal extends it: else the log could have been
 * rewritten and sealed again after the run was first sealed.
 */
function checkSealedBy(proof: RunProof, seals: readonly Seal[], keys: readonly SealKey[], root: string, problems: ProofProblem[]): RootedSeal | null {
  const last = proof.events[proof.events.length - 1].event.seq;
  const expected = firstSealCovering(seals, last, proof.seal.seq);
  const given = proof.sealedBy;
  if (!given) {
    if (expected) {
      problems.push({
        code: 'E_PROOF_CONSISTENCY',
        message: `the run was first sealed at seq ${expected.seq} (${expected.at}), but the proof does not show that the seal at seq ${proof.seal.seq} extends that one`,
      });
    }
    return null;
  }
  const found = findSeal(given.seal, seals, 'the first seal of the run');
  if (found.problem) problems.push(found.problem);
  else problems.push(...signatureOf(given.seal, seals, keys));
  if (expected && expected.seq !== given.seal.seq) {
    problems.push({ code: 'E_PROOF_CONSISTENCY', message: `the proof names the seal at seq ${given.seal.seq} as the run's first, but aigov.seals first covers it at seq ${expected.seq}` });
  }
  if (given.seal.seq < last || given.seal.seq >= proof.seal.seq) {
    problems.push({ code: 'E_PROOF_CONSISTENCY', message: `the seal at seq ${given.seal.seq} cannot be the run's first: it must cover seq ${last} and be older than the seal at seq ${proof.seal.seq}` });
  } else if (!verifyConsistency(given.seal.seq, proof.seal.seq, given.seal.root, root, given.consistencyPath)) {
    problems.push({
      code: 'E_PROOF_CONSISTENCY',
      message: `the seal at seq ${proof.seal.seq} does not extend the seal at seq ${given.seal.seq}: the log sealed then was rewritten before it was sealed again`,
    });
  }
  return found.problem ? null : given.seal;
}
