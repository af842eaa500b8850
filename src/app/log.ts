// `aigov log verify` and `aigov log seal`. The chain catches an edit, deletion or
// reordering inside the log; the seals committed to git catch a log rewritten
// end to end with a recomputed chain, since it can no longer match them.
import { createVerifier, type ChainHead, type StoredEvent } from '../core/log/chain.js';
import type { Store, StoreAudit } from '../store/types.js';
import { RowAccountant, type RowAccount } from './log-accounts.js';
import { SealChecker, signatureProblems, type SealProblem } from '../core/log/seal-check.js';
import { listedKeys, type ListedKey } from './seal-keys.js';
import { readSeals, type Seal } from './seals-file.js';
import { logPages } from './log-pages.js';

export { SEALS_FILE, readSeals, type Seal } from './seals-file.js';
export { sealLog } from './seal.js';

export interface LogVerification {
  ok: boolean;
  events: number;
  head: ChainHead | null;
  firstBad?: { seq: number; reason: string };
  seals: { checked: number; bad: SealProblem[] };
  /** Every row of every table the commands read, accounted for (null: this store cannot list its tables). */
  rows: RowAccount | null;
  /** Triggers and constraints that are missing, changed or disabled. */
  schema: { problems: string[] };
}


/**
 * Recomputes the whole chain in one streaming pass, checks every seal against
 * it (its hash, its Merkle root and its signature; `publicKeys`: aigov.yaml
 * `seals.publicKeys`), and accounts for every other row: the events table's
 * count and seq range, the impacts and runs rows rebuilt from the chain, and
 * the schema's triggers. All from one snapshot of the store.
 */
export async function verifyLog(store: Store, root: string, opts: { publicKeys?: readonly ListedKey[] } = {}): Promise<LogVerification> {
  const seals = readSeals(root);
  const audit = store.audit ? await store.audit() : null;
  try {
    return await verifyFrom(store, audit, seals, listedKeys(opts.publicKeys));
  } finally {
    await audit?.close();
  }
}

async function verifyFrom(store: Store, audit: StoreAudit | null, seals: Seal[], keys: ReturnType<typeof listedKeys>): Promise<LogVerification> {
  const verifier = createVerifier();
  const accountant = audit ? new RowAccountant(audit) : null;
  const tally = audit ? await audit.tally() : null;
  // Where the store can check the chain on a thread of its own, the two halves of verify run side by side.
  const chain = audit?.checkChain && tally?.maxSeq ? audit.checkChain(tally.maxSeq) : null;
  chain?.catch(() => undefined);
  const sealCheck = new SealChecker(seals);
  const bad: SealProblem[] = signatureProblems(seals, keys);
  let firstBad: { seq: number; reason: string } | undefined;
  for await (const page of audit ? audit.events({ lean: chain !== null }) : logPages(store, 1)) {
    if (accountant) await accountant.push(page as StoredEvent[]);
    for (const event of page) {
      if (!chain) {
        const result = verifier.push(event);
        if (!result.ok && !firstBad) firstBad = { seq: result.seq, reason: result.reason };
      }
      bad.push(...sealCheck.push(event));
    }
  }
  let events = verifier.count;
  let head = verifier.head;
  if (chain) {
    const report = await chain;
    events = report.count;
    head = report.head;
    if (report.firstBad) firstBad = report.firstBad;
  }
  const end = head?.seq ?? 0;
  bad.push(...sealCheck.finish(end));
  bad.sort((a, b) => a.seq - b.seq);
  const rows = accountant && tally ? await accountant.finish(tally, { count: events, headSeq: end }) : null;
  const schema = { problems: audit ? await audit.schemaProblems() : ['this store cannot list its tables and triggers: only the chain was checked'] };
  return {
    ok: !firstBad && bad.length === 0 && rows !== null && rows.problems.length === 0 && schema.problems.length === 0,
    events,
    head,
    ...(firstBad ? { firstBad } : {}),
    seals: { checked: seals.length, bad },
    rows,
    schema,
  };
}
