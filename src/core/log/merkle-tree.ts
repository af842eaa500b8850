// An RFC 6962 tree built over a stream of leaves in constant memory: the stack
// of perfect subtree roots that the leaves so far make (a compact range, one
// root per bit of the leaf count), plus the few nodes a proof asks for, kept as
// they form. A log of a million events is never held, only ~20 hashes of it.
import { hash } from 'node:crypto';
import { EMPTY_ROOT, type NodeRange } from './merkle.js';

// Inside, hashes are latin1 ("binary") strings of 32 characters: Node's one-shot
// hash returns those about three times faster than Buffers, and they copy into
// the scratch buffers cheaply. The tree over 1M events then costs about a second.
const toHex = (h: string): string => Buffer.from(h, 'latin1').toString('hex');

/** A perfect node's number in in-order (flat tree) numbering: unique for every aligned power-of-two range. */
const nodeKey = (start: number, size: number): number => 2 * start + size - 1;

export class MerkleTree {
  /** Roots of the perfect subtrees covering the leaves so far, largest (leftmost) first. */
  private readonly stack: string[] = [];
  /** How many leaves each stack entry covers: the count's set bits, highest first. */
  private readonly sizes: number[] = [];
  private count = 0;
  private readonly keep: Set<number> | null;
  private readonly kept = new Map<number, string>();
  private readonly leaf = Buffer.alloc(33);
  private readonly pair = Buffer.alloc(65);

  /** `keep`: the nodes a proof will ask for (from inclusionRanges and consistencyRanges). */
  constructor(keep: Iterable<NodeRange> = []) {
    this.leaf[0] = 0;
    this.pair[0] = 1;
    const keys = new Set<number>();
    for (const r of keep) keys.add(nodeKey(r.start, r.end - r.start));
    this.keep = keys.size > 0 ? keys : null;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Appends the leaf whose data is the 32 bytes a hex hash spells: an event's
   * hash. A malformed hash (a tampered row; the chain reports it) is padded with
   * zero bytes, so the tree stays a function of its input.
   */
  pushHash(hex: string): void {
    const written = hex.length === 64 ? this.leaf.write(hex, 1, 32, 'hex') : 0;
    if (written !== 32) this.leaf.fill(0, 1 + written);
    this.push(hash('sha256', this.leaf, 'binary'));
  }

  /** Appends a leaf by its leaf hash (hex), for leaves whose data is not an event hash. */
  pushLeafHash(hex: string): void {
    this.push(Buffer.from(hex, 'hex').toString('latin1'));
  }

  private push(leafHash: string): void {
    const index = this.count;
    let h = leafHash;
    let size = 1;
    this.remember(index, size, h);
    // Adding a leaf carries like a binary counter: one merge per trailing 1 bit of the old count.
    for (let c = index; c % 2 === 1; c = (c - 1) / 2) {
      this.pair.write(this.stack.pop()!, 1, 'latin1');
      this.sizes.pop();
      this.pair.write(h, 33, 'latin1');
      h = hash('sha256', this.pair, 'binary');
      size *= 2;
      this.remember(index + 1 - size, size, h);
    }
    this.stack.push(h);
    this.sizes.push(size);
    this.count = index + 1;
  }

  private remember(start: number, size: number, h: string): void {
    if (this.keep === null) return;
    const key = nodeKey(start, size);
    if (this.keep.has(key)) this.kept.set(key, h);
  }

  /** The root of the tree of the leaves so far (RFC 6962 MTH), hex. */
  root(): string {
    return this.count === 0 ? EMPTY_ROOT : toHex(this.fold(0));
  }

  /** Folds the stack from entry `from` to the end: the root of the right-edge node those entries cover. */
  private fold(from: number): string {
    let r = this.stack[this.stack.length - 1];
    for (let i = this.stack.length - 2; i >= from; i--) {
      this.pair.write(this.stack[i], 1, 'latin1');
      this.pair.write(r, 33, 'latin1');
      r = hash('sha256', this.pair, 'binary');
    }
    return r;
  }

  /**
   * A node of the tree of the leaves so far, hex: a perfect one kept as it
   * formed, or one on the right edge, folded from the stack. Asking for a node
   * that was not kept is a bug in the caller's plan.
   */
  node(range: NodeRange): string {
    const size = range.end - range.start;
    if (range.end === this.count) {
      let start = 0;
      for (let i = 0; i < this.stack.length; start += this.sizes[i], i++) {
        if (start === range.start) return toHex(this.fold(i));
      }
    }
    const kept = this.kept.get(nodeKey(range.start, size));
    if (kept === undefined) throw new Error(`merkle node [${range.start}, ${range.end}) of a tree of ${this.count} was not kept`);
    return toHex(kept);
  }
}

/** The nodes of `ranges` (a plan from merkle.ts) in a tree that kept them: a proof's path. */
export function pathOf(tree: MerkleTree, ranges: readonly NodeRange[]): string[] {
  return ranges.map((r) => tree.node(r));
}

/** The root of the tree whose leaves are these event hashes, in order. */
export function rootOfHashes(hashes: Iterable<string>): string {
  const tree = new MerkleTree();
  for (const h of hashes) tree.pushHash(h);
  return tree.root();
}
