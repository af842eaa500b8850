// RFC 6962 (section 2.1) Merkle trees, as RFC 9162 verifies them. The run log's
// seals commit to the tree over its event hashes, so one run's events can be
// shown to be in a sealed log without showing any other event.
//
// A node is named by the leaves it covers, [start, end). In RFC 6962's tree
// (the split at the largest power of two below n) every left child is a
// perfect subtree aligned to its size, and every node that is not perfect lies
// on the right edge (end = n). Proofs are lists of such nodes; planning which
// ones is done here, and computing them over a streamed log in merkle-tree.ts.
import { hash } from 'node:crypto';

/** The root of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT = hash('sha256', '', 'hex');

const LEAF = Buffer.from([0]);
// One scratch buffer for 0x01 || left || right: verifying hashes many pairs.
const PAIR = Buffer.alloc(65);
PAIR[0] = 1;

/** SHA-256(0x00 || data), hex. */
export function hashLeaf(data: Uint8Array): string {
  return hash('sha256', Buffer.concat([LEAF, data]), 'hex');
}

/** SHA-256(0x01 || left || right) of two hex hashes, hex. */
export function hashChildren(left: string, right: string): string {
  // A hash that is not 64 hex digits cannot be a node; it hashes as written, never as a truncated one.
  if (left.length !== 64 || right.length !== 64 || PAIR.write(left, 1, 'hex') !== 32 || PAIR.write(right, 33, 'hex') !== 32) {
    return hash('sha256', Buffer.concat([PAIR.subarray(0, 1), Buffer.from(`${left}|${right}`)]), 'hex');
  }
  return hash('sha256', PAIR, 'hex');
}

/** The largest power of two smaller than n (n >= 2): where RFC 6962 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export interface NodeRange {
  start: number;
  end: number;
}

/** Whether `n` is a positive whole number of leaves a tree can have. */
function isSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** The nodes of the audit path of leaf `index` in the tree of `size` leaves, leaf to root (RFC 6962 PATH). */
export function inclusionRanges(index: number, size: number): NodeRange[] {
  if (!isSize(index) || !isSize(size) || index >= size) throw new RangeError(`no leaf ${index} in a tree of ${size}`);
  const out: NodeRange[] = [];
  let start = 0;
  let end = size;
  // Walk from the root down to the leaf; each step's sibling is prepended, so the list runs upwards.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      out.push({ start: start + k, end });
      end = start + k;
    } else {
      out.push({ start, end: start + k });
      start += k;
    }
  }
  return out.reverse();
}

/** The nodes of the consistency proof from the tree of `m` leaves to the tree of `n` (RFC 6962 PROOF), in proof order. */
export function consistencyRanges(m: number, n: number): NodeRange[] {
  if (!isSize(m) || !isSize(n) || m > n) throw new RangeError(`no consistency proof from ${m} to ${n} leaves`);
  if (m === 0 || m === n) return [];
  const out: NodeRange[] = [];
  // SUBPROOF(m, D[start:end], whole), unrolled: `whole` stays true while m is the left edge of the old tree.
  let start = 0;
  let end = n;
  let whole = true;
  for (;;) {
    if (m === end - start) {
      if (!whole) out.push({ start, end });
      break;
    }
    const k = splitPoint(end - start);
    if (m <= k) {
      out.push({ start: start + k, end });
      end = start + k;
    } else {
      out.push({ start, end: start + k });
      start += k;
      m -= k;
      whole = false;
    }
  }
  return out.reverse();
}

const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/**
 * The root an audit path leads to from a leaf hash (RFC 9162 2.1.3.2), or null
 * when the path cannot belong to leaf `index` of a tree of `size` leaves.
 */
export function rootFromInclusion(index: number, size: number, leafHash: string, path: readonly string[]): string | null {
  if (!isSize(index) || !isSize(size) || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) return null;
    if (odd(fn) || fn === sn) {
      r = hashChildren(p, r);
      if (!odd(fn)) while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = hashChildren(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 ? r : null;
}

export function verifyInclusion(index: number, size: number, leafHash: string, path: readonly string[], root: string): boolean {
  return rootFromInclusion(index, size, leafHash, path) === root;
}

/** Whether `path` proves that the tree of `m` leaves with root `rootM` is a prefix of the tree of `n` with root `rootN` (RFC 9162 2.1.4.2). */
export function verifyConsistency(m: number, n: number, rootM: string, rootN: string, path: readonly string[]): boolean {
  if (!isSize(m) || !isSize(n) || m > n) return false;
  if (m === n) return path.length === 0 && rootM === rootN;
  if (m === 0) return path.length === 0;
  if (path.length === 0) return false;
  // A power-of-two old tree is a node of the new one, so the proof leaves its root out.
  const nodes = isPowerOfTwo(m) ? [rootM, ...path] : [...path];
  let fn = m - 1;
  let sn = n - 1;
  while (odd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr = nodes[0];
  let sr = nodes[0];
  for (const c of nodes.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (!odd(fn)) while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = hashChildren(sr, c);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 && fr === rootM && sr === rootN;
}

function isPowerOfTwo(x: number): boolean {
  let p = 1;
  while (p < x) p *= 2;
  return p === x;
}
