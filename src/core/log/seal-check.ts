// Checking aigov.seals against the log, in the one streaming pass that
// `log verify` and `log seal` make over it: each seal's hash and Merkle root
// against the events up to its seq (the tree grows as they stream by, in
// constant memory), and each signature against the keys aigov.yaml lists.
import type { ErrorCode } from '../../errors.js';
import { MerkleTree } from './merkle-tree.js';
import { bySeq, type Seal } from './seal.js';
import { sealSignatureValid, type SealKey } from './seal-keys.js';

export interface SealProblem {
  seq: number;
  code: ErrorCode;
  reason: string;
}

const short = (hash: string): string => `${hash.slice(0, 12)}…`;

/**
 * What is wrong with the seals' signatures, whatever the log holds: a signed
 * seal whose key is not listed, a signature that does not verify, and an
 * unsigned seal after a signed one (signing, once begun, cannot be dropped
 * without a trace: else anyone could append an unsigned seal over a rewritten tail).
 */
export function signatureProblems(seals: readonly Seal[], keys: readonly SealKey[]): SealProblem[] {
  const problems: SealProblem[] = [];
  let firstSigned: Seal | null = null;
  for (const seal of bySeq(seals)) {
    if (seal.sig === undefined) {
      if (firstSigned) {
        problems.push({ seq: seal.seq, code: 'E_SEAL_UNSIGNED', reason: `the seal at seq ${seal.seq} is not signed, but the seal at seq ${firstSigned.seq} is: once seals are signed, every later one must be` });
      }
      continue;
    }
    firstSigned ??= seal;
    const key = keys.find((k) => k.id === seal.key);
    if (!key) {
      problems.push({ seq: seal.seq, code: 'E_SEAL_KEY_UNKNOWN', reason: `the seal at seq ${seal.seq} is signed by key "${seal.key}", which aigov.yaml does not list under seals.publicKeys` });
    } else if (!sealSignatureValid(seal, key.key)) {
      problems.push({ seq: seal.seq, code: 'E_SEAL_SIGNATURE', reason: `the signature of the seal at seq ${seal.seq} does not verify under key "${seal.key}" (the seal was edited, or not signed by that key)` });
    }
  }
  return problems;
}

/** The hash and root of every seal, checked as the events stream by in seq order. */
export class SealChecker {
  readonly tree = new MerkleTree();
  private readonly seals: Seal[];
  private next = 0;
  /** Past the last seal with a root the tree is not needed, unless the caller wants the whole log's root. */
  private readonly treeUntil: number;

  /** `wholeTree`: build the tree over every event, for the root of the head (`log seal`). */
  constructor(seals: readonly Seal[], opts: { wholeTree?: boolean } = {}) {
    this.seals = bySeq(seals);
    this.treeUntil = opts.wholeTree ? Infinity : Math.max(0, ...this.seals.filter((s) => s.root !== undefined).map((s) => s.seq));
  }

  /** Takes the next event of the log; returns the problems of the seals it reaches. */
  push(event: { seq: number; hash: string }): SealProblem[] {
    if (this.tree.size < this.treeUntil) this.tree.pushHash(event.hash);
    const problems: SealProblem[] = [];
    for (; this.next < this.seals.length && this.seals[this.next].seq <= event.seq; this.next++) {
      const seal = this.seals[this.next];
      if (seal.seq < event.seq) {
        problems.push({ seq: seal.seq, code: 'E_SEAL_MISMATCH', reason: `sealed event ${seal.seq} is missing from the log (the log was rewritten)` });
      } else if (seal.hash !== event.hash) {
        problems.push({ seq: seal.seq, code: 'E_SEAL_MISMATCH', reason: `event ${seal.seq} has hash ${short(event.hash)} but was sealed as ${short(seal.hash)} (the log was rewritten)` });
      } else if (seal.root !== undefined) {
        const root = this.tree.root();
        if (root !== seal.root) {
          problems.push({
            seq: seal.seq,
            code: 'E_SEAL_ROOT_MISMATCH',
            reason: `the Merkle root of events 1..${seal.seq} is ${short(root)} but the seal has ${short(seal.root)} (the seal's root was edited, or events before it were removed or reordered)`,
          });
        }
      }
    }
    return problems;
  }

  /** After the last event (seq `end`, 0 for none): the seals past the end of the log. */
  finish(end: number): SealProblem[] {
    const problems: SealProblem[] = [];
    for (; this.next < this.seals.length; this.next++) {
      const seq = this.seals[this.next].seq;
      problems.push({ seq, code: 'E_SEAL_MISMATCH', reason: `sealed event ${seq} is past the end of the log (seq ${end}): the log was rewritten or truncated` });
    }
    return problems;
  }
}
