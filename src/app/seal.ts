// `aigov log seal`: commit the log's head (seq, hash, Merkle root, time, and a
// signature where a key is configured) to aigov.seals. It reads the whole log
// first, as verify does, so a broken chain or a log that no longer matches an
// earlier seal is never sealed.
import { createVerifier } from '../core/log/chain.js';
import { newestSeal, type Seal } from '../core/log/seal.js';
import { SealChecker, signatureProblems, type SealProblem } from '../core/log/seal-check.js';
import { signSeal } from '../core/log/seal-keys.js';
import { GateError, UsageError } from '../errors.js';
import type { Store } from '../store/types.js';
import { systemClock } from './context.js';
import { logPages } from './log-pages.js';
import { workspaceEnv } from './read-workspace.js';
import { listedKeys, sealSigner, type ListedKey } from './seal-keys.js';
import { appendSeal, readSeals } from './seals-file.js';

export interface SealOptions {
  now?: Date;
  /** Where AIGOV_SEAL_KEY is read (default: the process environment over the workspace's .env). */
  env?: Record<string, string | undefined>;
  /** aigov.yaml `seals.publicKeys`. */
  publicKeys?: readonly ListedKey[];
}

export type SealResult = Seal & { written: boolean };

function refuse(p: SealProblem): GateError {
  return new GateError(p.code, `${p.reason}; not sealing it`, { hint: 'run `aigov log verify`' });
}

/**
 * Appends the log's head to aigov.seals. When the newest seal already covers
 * the head (with a root, and signed by the configured key if there is one),
 * that seal is returned and the file is left as it is. A Date is `{ now }`.
 */
export async function sealLog(store: Store, root: string, options: SealOptions | Date = {}): Promise<SealResult> {
  const opts = options instanceof Date ? { now: options } : options;
  const keys = listedKeys(opts.publicKeys);
  const signer = sealSigner(opts.env ?? workspaceEnv(root), keys, opts.now);
  const seals = readSeals(root);
  const [badSignature] = signatureProblems(seals, keys);
  if (badSignature) throw refuse(badSignature);

  const checker = new SealChecker(seals, { wholeTree: true });
  const verifier = createVerifier();
  for await (const page of logPages(store, 1)) {
    for (const event of page) {
      const [bad] = checker.push(event);
      if (bad) throw refuse(bad);
      const result = verifier.push(event);
      if (!result.ok) {
        throw new GateError('E_CHAIN_BROKEN', `the run log is broken at seq ${result.seq} (${result.reason}); not sealing it`, { hint: 'run `aigov log verify`' });
      }
    }
  }
  const head = verifier.head;
  const [pastEnd] = checker.finish(head?.seq ?? 0);
  if (pastEnd) throw refuse(pastEnd);
  if (head === null) throw new UsageError('the run log is empty: there is nothing to seal');

  const last = newestSeal(seals);
  if (last && last.seq === head.seq && last.root !== undefined && (signer === null || last.key === signer.id)) return { ...last, written: false };
  const fields = { seq: head.seq, hash: head.hash, root: checker.tree.root(), at: (opts.now ?? systemClock()).toISOString() };
  const seal: Seal = signer ? { ...fields, key: signer.id, sig: signSeal({ ...fields, key: signer.id }, signer.key) } : fields;
  appendSeal(root, seal);
  return { ...seal, written: true };
}
