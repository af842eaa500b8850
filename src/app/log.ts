// `aigov log verify` and `aigov log seal`. The chain catches an edit, deletion or
// reordering inside the log; the seals committed to git catch a log rewritten
// end to end with a recomputed chain, since it can no longer match them.
import { availableParallelism } from 'node:os';
import { createVerifier, type ChainHead, type StoredEvent } from '../core/log/chain.js';
import { RangeAccount, RowReconciler, type AccountRow, type RowAccount } from '../core/log/row-account.js';
import type { RangeVerify, Store, StoreAudit } from '../store/types.js';
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


/** From this many events on, a store that can verify in ranges on several threads does. */
const THREADS_FROM = 20_000;

export interface VerifyOptions {
  /** aigov.yaml `seals.publicKeys`. */
  publicKeys?: readonly ListedKey[];
  /** Threads to verify ranges of the log on, where the store can (1: this thread only). By default one a core (up to 4) from THREADS_FROM events on. */
  threads?: number;
}

/**
 * Recomputes the whole chain in one streaming pass, checks every seal against
 * it (its hash, its Merkle root and its signature), and accounts for every
 * other row: the events table's count and seq range, the impacts and runs rows
 * rebuilt from the chain, and the schema's triggers. All from one snapshot of
 * the store. A long SQLite log is verified in ranges of seqs side by side, a
 * thread each, with the same result.
 */
export async function verifyLog(store: Store, root: string, opts: VerifyOptions = {}): Promise<LogVerification> {
  const seals = readSeals(root);
  const threads = opts.threads ?? (((await store.head())?.seq ?? 0) >= THREADS_FROM ? Math.min(4, availableParallelism()) : 1);
  const audit = store.audit ? await store.audit() : null;
  try {
    const ranged = audit?.ranges && threads > 1 ? await audit.ranges(threads) : null;
    if (ranged) {
      try {
        return await verifyRanged(audit!, ranged, seals, listedKeys(opts.publicKeys));
      } finally {
        await ranged.close();
      }
    }
    return await verifyFrom(store, audit, seals, listedKeys(opts.publicKeys));
  } finally {
    await audit?.close();
  }
}

const accountRow = (e: StoredEvent): AccountRow => [e.seq, e.type, e.at, e.automation, e.runId, e.dataJson];

async function verifyFrom(store: Store, audit: StoreAudit | null, seals: Seal[], keys: ReturnType<typeof listedKeys>): Promise<LogVerification> {
  const verifier = createVerifier();
  const accountant = audit ? new RangeAccount(audit.impacts(), audit.runs()) : null;
  const tally = audit ? await audit.tally() : null;
  // Where the store can check the chain on a thread of its own, the two halves of verify run side by side.
  const chain = audit?.checkChain && tally?.maxSeq ? audit.checkChain(tally.maxSeq) : null;
  chain?.catch(() => undefined);
  const sealCheck = new SealChecker(seals);
  const bad: SealProblem[] = signatureProblems(seals, keys);
  let firstBad: { seq: number; reason: string } | undefined;
  for await (const page of audit ? audit.events({ lean: chain !== null }) : logPages(store, 1)) {
    if (accountant) await accountant.push((page as StoredEvent[]).map(accountRow));
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
  let rows: RowAccount | null = null;
  if (accountant && tally) {
    const reconciler = new RowReconciler();
    reconciler.add(await accountant.end(), Number.POSITIVE_INFINITY);
    rows = reconciler.finish(tally, { count: events, headSeq: end });
  }
  const schema = { problems: audit ? await audit.schemaProblems() : ['this store cannot list its tables and triggers: only the chain was checked'] };
  return result(firstBad, events, head, seals, bad, rows, schema);
}

/** The same, by ranges on the store's threads, started first: this thread meanwhile counts the events table and checks the seals. */
async function verifyRanged(audit: StoreAudit, ranged: RangeVerify, seals: Seal[], keys: ReturnType<typeof listedKeys>): Promise<LogVerification> {
  const toSeq = await ranged.maxSeq();
  const running = ranged.run(toSeq);
  running.catch(() => undefined);
  const tally = await audit.tally();
  const sealCheck = new SealChecker(seals);
  const bad: SealProblem[] = signatureProblems(seals, keys);
  if (seals.length > 0) for await (const page of ranged.hashes(toSeq)) for (const event of page) bad.push(...sealCheck.push(event));
  const outside = await ranged.impactsOutside(toSeq);
  const schema = { problems: await audit.schemaProblems() };
  const { ranges, reports } = await running;
  let events = 0;
  let head: ChainHead | null = null;
  let firstBad: { seq: number; reason: string } | undefined;
  const reconciler = new RowReconciler();
  reconciler.outsideImpacts(outside);
  reports.forEach((r, k) => {
    events += r.chain.count;
    head = r.chain.last ?? head;
    if (r.chain.firstBad && !firstBad) firstBad = r.chain.firstBad;
    reconciler.add(r.rows, ranges[k].hi);
  });
  const end = (head as ChainHead | null)?.seq ?? 0;
  bad.push(...sealCheck.finish(end));
  const rows = reconciler.finish(tally, { count: events, headSeq: end });
  return result(firstBad, events, head, seals, bad, rows, schema);
}

function result(
  firstBad: { seq: number; reason: string } | undefined,
  events: number,
  head: ChainHead | null,
  seals: Seal[],
  bad: SealProblem[],
  rows: RowAccount | null,
  schema: { problems: string[] },
): LogVerification {
  bad.sort((a, b) => a.seq - b.seq);
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
