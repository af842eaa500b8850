// RFC 6962 Merkle trees against the test vectors of certificate-transparency's
// reference implementations (the eight leaves below, their roots, inclusion and
// consistency proofs), against a literal transcription of the RFC's recursive
// definitions, and by changing every input of a proof.
import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, consistencyRanges, hashChildren, hashLeaf, inclusionRanges, rootFromInclusion, splitPoint, verifyConsistency, verifyInclusion } from './merkle.js';
import { MerkleTree, pathOf, rootOfHashes } from './merkle-tree.js';

const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));

// MTH(D[0:n]) for n = 1..8.
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const INCLUSION: { index: number; size: number; path: string[] }[] = [
  { index: 0, size: 1, path: [] },
  {
    index: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, path: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    path: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const CONSISTENCY: { m: number; n: number; path: string[] }[] = [
  { m: 1, n: 1, path: [] },
  {
    m: 1,
    n: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    m: 6,
    n: 8,
    path: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    m: 2,
    n: 5,
    path: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'],
  },
];

// RFC 6962 section 2.1, transcribed as written: recursion over slices, no streaming.
const sha = (...parts: Buffer[]): string => hash('sha256', Buffer.concat(parts), 'hex');
function mth(d: Buffer[]): string {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Buffer.from([0]), d[0]);
  const k = splitPoint(d.length);
  return sha(Buffer.from([1]), Buffer.from(mth(d.slice(0, k)), 'hex'), Buffer.from(mth(d.slice(k)), 'hex'));
}
function rfcPath(m: number, d: Buffer[]): string[] {
  if (d.length === 1) return [];
  const k = splitPoint(d.length);
  return m < k ? [...rfcPath(m, d.slice(0, k)), mth(d.slice(k))] : [...rfcPath(m - k, d.slice(k)), mth(d.slice(0, k))];
}
function rfcSubproof(m: number, d: Buffer[], b: boolean): string[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const k = splitPoint(d.length);
  return m <= k ? [...rfcSubproof(m, d.slice(0, k), b), mth(d.slice(k))] : [...rfcSubproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}
const rfcProof = (m: number, d: Buffer[]): string[] => rfcSubproof(m, d, true);

/** A tree over `leaves` that kept the given plan's nodes. */
function treeOf(leaves: Buffer[], plan: { start: number; end: number }[] = []): MerkleTree {
  const tree = new MerkleTree(plan);
  for (const l of leaves) tree.pushLeafHash(hashLeaf(l));
  return tree;
}

const flip = (hex: string, at = 0): string => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);

describe('the RFC 6962 reference vectors', () => {
  it('has the empty root and the leaf and node hashes the RFC defines', () => {
    expect(EMPTY_ROOT).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(new MerkleTree().root()).toBe(EMPTY_ROOT);
    expect(mth([])).toBe(EMPTY_ROOT);
    expect(hashLeaf(LEAVES[0])).toBe(ROOTS[0]);
    expect(hashChildren(hashLeaf(LEAVES[0]), hashLeaf(LEAVES[1]))).toBe(ROOTS[1]);
  });

  it.each(ROOTS.map((root, i) => [i + 1, root] as const))('MTH of the first %i leaves', (n, root) => {
    expect(mth(LEAVES.slice(0, n))).toBe(root);
    expect(treeOf(LEAVES.slice(0, n)).root()).toBe(root);
  });

  it.each(INCLUSION)('the audit path of leaf $index in a tree of $size', ({ index, size, path }) => {
    const d = LEAVES.slice(0, size);
    expect(rfcPath(index, d)).toEqual(path);
    const ranges = inclusionRanges(index, size);
    expect(pathOf(treeOf(d, ranges), ranges)).toEqual(path);
    expect(verifyInclusion(index, size, hashLeaf(LEAVES[index]), path, ROOTS[size - 1])).toBe(true);
  });

  it.each(CONSISTENCY)('the consistency proof from $m to $n leaves', ({ m, n, path }) => {
    const d = LEAVES.slice(0, n);
    expect(rfcProof(m, d)).toEqual(path);
    const ranges = consistencyRanges(m, n);
    expect(pathOf(treeOf(d, ranges), ranges)).toEqual(path);
    expect(verifyConsistency(m, n, ROOTS[m - 1], ROOTS[n - 1], path)).toBe(true);
  });
});

/** n distinct leaves of varying length. */
const leavesOf = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.from(`leaf ${i} ${'x'.repeat(i % 7)}`));

describe('inclusion proofs of every leaf of trees of 1..100 leaves', () => {
  const all = leavesOf(101);

  it('match the RFC definition, verify, and the streamed tree keeps only what they need', () => {
    for (let n = 1; n <= 100; n++) {
      const d = all.slice(0, n);
      const root = mth(d);
      const plans = Array.from({ length: n }, (_, m) => inclusionRanges(m, n));
      const tree = treeOf(d, plans.flat());
      expect(tree.root(), `root of ${n}`).toBe(root);
      for (let m = 0; m < n; m++) {
        const path = pathOf(tree, plans[m]);
        expect(path, `path ${m}/${n}`).toEqual(rfcPath(m, d));
        expect(rootFromInclusion(m, n, hashLeaf(d[m]), path)).toBe(root);
      }
    }
  });

  it('fail for any other leaf, index, size, path or root', () => {
    const roots = Array.from({ length: 102 }, (_, n) => mth(all.slice(0, n)));
    let sameShape = 0;
    for (let n = 1; n <= 100; n++) {
      const d = all.slice(0, n);
      const root = roots[n];
      const plans = Array.from({ length: n }, (_, m) => inclusionRanges(m, n));
      const tree = treeOf(d, plans.flat());
      for (let m = 0; m < n; m++) {
        const leaf = hashLeaf(d[m]);
        const path = pathOf(tree, plans[m]);
        const ok = (i: number, s: number, l: string, p: string[], r: string): boolean => verifyInclusion(i, s, l, p, r);
        const where = `leaf ${m} of ${n}`;
        expect(ok(m, n, hashLeaf(Buffer.concat([d[m], Buffer.from('!')])), path, root), where).toBe(false);
        expect(ok(m, n, flip(leaf), path, root), where).toBe(false);
        for (const other of new Set([0, m - 2, m - 1, m + 1, m + 2, n - 1, n, n + 1, -1])) {
          if (other !== m) expect(ok(other, n, leaf, path, root), `${where} as index ${other}`).toBe(false);
        }
        for (const size of [n - 1, n + 1, n * 2, 0]) {
          if (size === n) continue;
          // Claiming membership of another sealed tree: that tree's root.
          if (size > 0 && size <= 101) expect(ok(m, size, leaf, path, roots[size]), `${where} in a tree of ${size}`).toBe(false);
          // Against this tree's own root a wrong size fails unless the walk has the same shape, which the
          // RFC 9162 algorithm cannot tell apart: that is why a seal binds the size to its root.
          const same = rootFromInclusion(m, size, leaf, path) === root;
          if (same) sameShape += 1;
          expect(same ? inclusionRanges(m, size).length : -1, `${where} at size ${size}`).toBe(same ? path.length : -1);
        }
        path.forEach((_, i) => {
          expect(ok(m, n, leaf, path.map((p, j) => (j === i ? flip(p, 63) : p)), root), `${where} path[${i}]`).toBe(false);
        });
        expect(ok(m, n, leaf, [...path, root], root), `${where} longer path`).toBe(false);
        if (path.length > 0) expect(ok(m, n, leaf, path.slice(0, -1), root), `${where} shorter path`).toBe(false);
        if (path.length > 1) expect(ok(m, n, leaf, [...path].reverse(), root), `${where} reversed path`).toBe(path[0] === path.at(-1));
        expect(ok(m, n, leaf, path, flip(root, 10)), `${where} root`).toBe(false);
      }
    }
    // The ambiguity is real (e.g. leaf 0 of 3 walks as leaf 0 of 4), and rare.
    expect(sameShape).toBeGreaterThan(0);
  });
});

describe('consistency proofs between trees of 0..60 leaves', () => {
  const all = leavesOf(61);

  it('match the RFC definition and verify', () => {
    for (let n = 1; n <= 60; n++) {
      const d = all.slice(0, n);
      const plans = Array.from({ length: n + 1 }, (_, m) => consistencyRanges(m, n));
      const tree = treeOf(d, plans.flat());
      for (let m = 0; m <= n; m++) {
        const path = pathOf(tree, plans[m]);
        if (m > 0) expect(path, `${m} -> ${n}`).toEqual(rfcProof(m, d));
        expect(verifyConsistency(m, n, mth(all.slice(0, m)), mth(d), path), `${m} -> ${n}`).toBe(true);
      }
    }
  });

  it('fail for another old root, new root, size or path', () => {
    for (let n = 2; n <= 60; n++) {
      const d = all.slice(0, n);
      const rootN = mth(d);
      const plans = Array.from({ length: n }, (_, m) => consistencyRanges(m, n));
      const tree = treeOf(d, plans.flat());
      for (let m = 1; m < n; m++) {
        const rootM = mth(all.slice(0, m));
        const path = pathOf(tree, plans[m]);
        const where = `${m} -> ${n}`;
        expect(verifyConsistency(m, n, flip(rootM), rootN, path), where).toBe(false);
        expect(verifyConsistency(m, n, rootM, flip(rootN), path), where).toBe(false);
        // A tree whose first leaves differ (the old log rewritten) is not an extension.
        const rewritten = mth([Buffer.from('forged'), ...d.slice(1)]);
        expect(verifyConsistency(m, n, rootM, rewritten, path), where).toBe(false);
        expect(verifyConsistency(m, n + 1, rootM, mth(all.slice(0, n + 1)), path), where).toBe(false);
        path.forEach((_, i) => expect(verifyConsistency(m, n, rootM, rootN, path.map((p, j) => (j === i ? flip(p, 5) : p))), `${where} [${i}]`).toBe(false));
        expect(verifyConsistency(m, n, rootM, rootN, path.slice(1)), where).toBe(false);
        expect(verifyConsistency(m, n, rootM, rootN, []), where).toBe(false);
      }
    }
    expect(verifyConsistency(3, 2, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(false);
    expect(verifyConsistency(0, 5, EMPTY_ROOT, mth(all.slice(0, 5)), [])).toBe(true);
  });
});

describe('MerkleTree over event hashes', () => {
  const hashes = Array.from({ length: 37 }, (_, i) => hash('sha256', `event ${i}`, 'hex'));

  it('takes the 32 bytes each hex hash spells as leaf data', () => {
    for (let n = 0; n <= hashes.length; n++) expect(rootOfHashes(hashes.slice(0, n))).toBe(mth(hashes.slice(0, n).map((h) => Buffer.from(h, 'hex'))));
  });

  it('gives every intermediate root as the leaves stream in', () => {
    const tree = new MerkleTree();
    hashes.forEach((h, i) => {
      tree.pushHash(h);
      expect(tree.size).toBe(i + 1);
      expect(tree.root()).toBe(rootOfHashes(hashes.slice(0, i + 1)));
    });
  });

  it('turns a malformed hash into a fixed leaf instead of reusing the last one', () => {
    const a = rootOfHashes([hashes[0], 'zz']);
    const b = rootOfHashes([hashes[1], 'zz']);
    expect(rootOfHashes([hashes[1], 'zz'])).toBe(b);
    expect(a).not.toBe(b);
    expect(rootOfHashes([hashes[0], 'zz'])).toBe(rootOfHashes([hashes[0], '0'.repeat(64)]));
  });

  it('refuses a node it was not asked to keep, and plans only real leaves', () => {
    const tree = new MerkleTree();
    for (const h of hashes) tree.pushHash(h);
    expect(() => tree.node({ start: 0, end: 4 })).toThrow(/not kept/);
    expect(tree.node({ start: 32, end: 37 })).toBe(mth(hashes.slice(32).map((h) => Buffer.from(h, 'hex'))));
    expect(() => inclusionRanges(5, 5)).toThrow(RangeError);
    expect(() => consistencyRanges(6, 5)).toThrow(RangeError);
    expect(rootFromInclusion(5, 5, hashes[0], [])).toBeNull();
  });
});
