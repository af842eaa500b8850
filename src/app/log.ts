// `aigov log verify` and `aigov log seal`. The chain catches an edit, deletion or
// reordering inside the log; the seals committed to git catch a log rewritten
// end to end with a recomputed chain, since it can no longer match them.
import { createVerifier, type ChainHead, type StoredEvent } from '../core/log/chain.js';
import type { LoggedEvent } from '../core/log/events.js';
import { SealChecker, signatureProblems, type SealProblem } from '../core/log/seal-check.js';
import type { Store } from '../store/types.js';
import { listedKeys, type ListedKey } from './seal-keys.js';
import { readSeals } from './seals-file.js';

export { SEALS_FILE, readSeals, type Seal } from './seals-file.js';
export { sealLog } from './seal.js';

export interface LogVerification {
  ok: boolean;
  events: number;
  head: ChainHead | null;
  firstBad?: { seq: number; reason: string };
  seals: { checked: number; bad: SealProblem[] };
}

/** The log from `fromSeq` on in pages, as stored where the store can (no payload parsing). */
async function* pages(store: Store, fromSeq: number): AsyncIterable<(StoredEvent | LoggedEvent)[]> {
  if (store.scanStored) {
    yield* store.scanStored(fromSeq);
    return;
  }
  let page: LoggedEvent[] = [];
  for await (const event of store.scan(fromSeq)) {
    page.push(event);
    if (page.length === 1000) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/**
 * Recomputes the whole chain in one streaming pass and checks every seal
 * against it: its hash, its Merkle root and its signature (`publicKeys`: aigov.yaml `seals.publicKeys`).
 */
export async function verifyLog(store: Store, root: string, opts: { publicKeys?: readonly ListedKey[] } = {}): Promise<LogVerification> {
  const seals = readSeals(root);
  const verifier = createVerifier();
  const sealCheck = new SealChecker(seals);
  const bad: SealProblem[] = signatureProblems(seals, listedKeys(opts.publicKeys));
  let firstBad: { seq: number; reason: string } | undefined;
  for await (const page of pages(store, 1)) {
    for (const event of page) {
      const result = verifier.push(event);
      if (!result.ok && !firstBad) firstBad = { seq: result.seq, reason: result.reason };
      bad.push(...sealCheck.push(event));
    }
  }
  bad.push(...sealCheck.finish(verifier.head?.seq ?? 0));
  bad.sort((a, b) => a.seq - b.seq);
  return {
    ok: !firstBad && bad.length === 0,
    events: verifier.count,
    head: verifier.head,
    ...(firstBad ? { firstBad } : {}),
    seals: { checked: seals.length, bad },
  };
}
