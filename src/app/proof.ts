// `aigov log prove RUN` and `aigov log check-proof FILE`. A proof is made from
// the log against the newest seal, and checked with aigov.seals alone, so an
// auditor can verify one run without the database and without any other run.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { consistencyRanges, inclusionRanges, verifyConsistency } from '../core/log/merkle.js';
import { MerkleTree, pathOf } from '../core/log/merkle-tree.js';
import { PROOF_FORMAT, PROOF_VERSION, checkProof, eventProblems, firstSealCovering, parseProof, type ProofCheck, type RunProof } from '../core/log/proof.js';
import { newestSeal, type Seal } from '../core/log/seal.js';
import type { SealKey } from '../core/log/seal-keys.js';
import { GateError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { fileError } from '../fs/file-errors.js';
import type { Store } from '../store/types.js';
import { logPages } from './log-pages.js';
import { findRoot, readWorkspace } from './read-workspace.js';
import { keyFromFlag, listedKeys, workspaceKeys } from './seal-keys.js';
import { SEALS_FILE, readSeals, readSealsFile } from './seals-file.js';

const HINT_SEAL = 'run `aigov log seal` and commit aigov.seals, then prove again';

/** The newest seal, which must have a Merkle root to prove against. */
function sealToProveAgainst(seals: readonly Seal[]): Seal & { root: string } {
  const seal = newestSeal(seals);
  if (!seal) throw new UsageError('aigov.seals holds no seal to prove against', { code: 'E_NOT_SEALED', hint: HINT_SEAL });
  if (seal.root === undefined) {
    throw new UsageError(`the newest seal (seq ${seal.seq}) has no Merkle root: an older aigov wrote it`, { code: 'E_NOT_SEALED', hint: HINT_SEAL });
  }
  return { ...seal, root: seal.root };
}

/**
 * The run's events with their inclusion proofs against the newest seal. One
 * pass over the log up to the seal builds the tree, keeping only the nodes the
 * paths need; the root it reaches must be the seal's, or the log was rewritten.
 */
export async function proveRun(store: Store, root: string, runId: string): Promise<RunProof> {
  const seals = readSeals(root);
  const seal = sealToProveAgainst(seals);
  const events = await store.query({ runId, order: 'asc' });
  if (events.length === 0) throw new UsageError(`no run ${runId} in the run log`, { hint: 'list runs with `aigov runs`' });
  const last = events[events.length - 1].seq;
  if (last > seal.seq) {
    throw new UsageError(`run ${runId} has events up to seq ${last}, after the newest seal (seq ${seal.seq})`, { code: 'E_NOT_SEALED', hint: HINT_SEAL });
  }
  const plans = events.map((e) => inclusionRanges(e.seq - 1, seal.seq));
  const first = firstSealCovering(seals, last, seal.seq);
  const consistency = first ? consistencyRanges(first.seq, seal.seq) : [];
  const tree = new MerkleTree([...plans.flat(), ...consistency]);
  let sealedHash: string | undefined;
  scan: for await (const page of logPages(store, 1)) {
    for (const event of page) {
      if (event.seq > seal.seq) break scan;
      tree.pushHash(event.hash);
      if (event.seq === seal.seq) sealedHash = event.hash;
    }
  }
  if (tree.size !== seal.seq || sealedHash !== seal.hash || tree.root() !== seal.root) {
    throw new GateError('E_SEAL_MISMATCH', `the run log no longer matches the newest seal (seq ${seal.seq}): no proof against it can hold`, { hint: 'run `aigov log verify`' });
  }
  const proof: RunProof = {
    format: PROOF_FORMAT,
    version: PROOF_VERSION,
    runId,
    seal,
    treeSize: seal.seq,
    ...(first ? { sealedBy: { seal: first, consistencyPath: pathOf(tree, consistency) } } : {}),
    events: events.map((event, i) => ({ leafIndex: event.seq - 1, inclusionPath: pathOf(tree, plans[i]), event })),
  };
  if (proof.sealedBy && !verifyConsistency(first!.seq, seal.seq, first!.root, seal.root, proof.sealedBy.consistencyPath)) {
    throw new GateError('E_SEAL_MISMATCH', `the log sealed at seq ${first!.seq} was rewritten before the seal at seq ${seal.seq}: no proof against it can hold`, { hint: 'run `aigov log verify`' });
  }
  // The tree matched the seal, so a failure here is an event whose row no longer hashes to its hash.
  const [bad] = eventProblems(proof, seal.root);
  if (bad) throw new GateError('E_CHAIN_BROKEN', `cannot prove run ${runId}: ${bad.message}`, { hint: 'run `aigov log verify`' });
  return proof;
}

export function writeProof(path: string, proof: RunProof): void {
  writeFileAtomic(path, `${JSON.stringify(proof, null, 2)}\n`);
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`no ${what} at ${path}`);
    // A folder, a looping link, no permission: said as the other files are (E_FILE_UNREADABLE).
    throw fileError(err, path, 'read') ?? new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

export interface CheckProofOptions {
  /** The aigov.seals to trust. */
  sealsPath: string;
  /** The public keys trusted for signed seals. */
  keys: readonly SealKey[];
}

/** Checks a proof file against a seals file: no store is opened. */
export function checkProofFile(proofPath: string, opts: CheckProofOptions, name = proofPath): ProofCheck {
  const proof = parseProof(readText(proofPath, 'proof'), name);
  const seals = readSealsFile(opts.sealsPath);
  if (seals === null) throw new UsageError(`no aigov.seals at ${opts.sealsPath}`, { hint: 'check the proof beside the aigov.seals it was made against (--seals FILE)' });
  return checkProof(proof, seals, opts.keys);
}

export interface CheckProofRequest {
  /** --root, or AIGOV_ROOT. */
  root?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** --seals FILE. */
  seals?: string;
  /** --public-key ID=FILE, each. */
  publicKeys?: readonly string[];
}

/**
 * Where check-proof finds what it trusts: the workspace's aigov.seals and the
 * keys its aigov.yaml lists, or, outside any workspace (an auditor's folder),
 * ./aigov.seals; `--seals` and `--public-key` add to or replace them.
 */
export function checkProofIn(file: string, req: CheckProofRequest = {}): ProofCheck {
  const cwd = req.cwd ?? process.cwd();
  const env = req.env ?? process.env;
  let root: string | null = null;
  try {
    root = findRoot({ root: req.root, cwd, env });
  } catch (err) {
    // Outside a workspace is the auditor's case; a --root that names no workspace is a mistake.
    if (req.root !== undefined || env.AIGOV_ROOT) throw err;
  }
  const given = (req.publicKeys ?? []).map((spec) => keyFromFlag(spec, cwd));
  const listed = root ? listedKeys(workspaceKeys(readWorkspace(root))).filter((k) => !given.some((g) => g.id === k.id)) : [];
  const sealsPath = req.seals !== undefined ? resolve(cwd, req.seals) : join(root ?? cwd, SEALS_FILE);
  return checkProofFile(resolve(cwd, file), { sealsPath, keys: [...given, ...listed] }, file);
}
