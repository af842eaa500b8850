// `aigov log verify` and `aigov log seal`. The chain catches an edit, deletion or
// reordering inside the log; the seals committed to git catch a log rewritten
// end to end with a recomputed chain, since it can no longer match them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createVerifier, type ChainHead, type StoredEvent } from '../core/log/chain.js';
import type { LoggedEvent } from '../core/log/events.js';
import { GateError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import type { Store, StoreAudit } from '../store/types.js';
import { RowAccountant, type RowAccount } from './log-accounts.js';

export const SEALS_FILE = 'aigov.seals';

const SEALS_HEADER =
  '# Run log heads committed by `aigov log seal`, one JSON object a line: {"seq":N,"hash":"…","at":"…"}. `aigov log verify` fails if the log no longer holds this hash at this seq. Append only.\n';

export interface Seal {
  seq: number;
  hash: string;
  at: string;
}

export interface LogVerification {
  ok: boolean;
  events: number;
  head: ChainHead | null;
  firstBad?: { seq: number; reason: string };
  seals: { checked: number; bad: { seq: number; reason: string }[] };
  /** Every row of every table the commands read, accounted for (null: this store cannot list its tables). */
  rows: RowAccount | null;
  /** Triggers and constraints that are missing, changed or disabled. */
  schema: { problems: string[] };
}

function parseSeal(line: string, lineNo: number): Seal {
  const location = { file: SEALS_FILE, line: lineNo };
  if (/^(<{7}|={7}|>{7})/.test(line)) {
    throw new UsageError(`${SEALS_FILE}:${lineNo} is a merge conflict marker`, { location, hint: 'keep the seal lines of both sides and drop the markers' });
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new UsageError(`${SEALS_FILE}:${lineNo} is not a JSON seal`, { location, hint: 'restore the file from git' });
  }
  const s = value as Partial<Seal>;
  const valid =
    typeof s === 'object' && s !== null &&
    Number.isInteger(s.seq) && (s.seq as number) > 0 &&
    typeof s.hash === 'string' && /^[0-9a-f]{64}$/.test(s.hash) &&
    typeof s.at === 'string';
  if (!valid) {
    throw new UsageError(`${SEALS_FILE}:${lineNo} needs a seq, a sha256 hash and a time`, { location, hint: 'restore the file from git' });
  }
  return { seq: s.seq as number, hash: s.hash as string, at: s.at as string };
}

function readSealsText(root: string): string | null {
  try {
    return readFileSync(join(root, SEALS_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError(`cannot read ${SEALS_FILE}: ${(err as Error).message}`);
  }
}

/** Every seal in `<root>/aigov.seals`, in file order; none when the file is absent. */
export function readSeals(root: string): Seal[] {
  const text = readSealsText(root);
  if (text === null) return [];
  const seals: Seal[] = [];
  text.split('\n').forEach((raw, n) => {
    const line = raw.trim();
    if (line !== '' && !line.startsWith('#')) seals.push(parseSeal(line, n + 1));
  });
  return seals;
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

function short(hash: string): string {
  return hash.slice(0, 12);
}

/**
 * Recomputes the whole chain in one streaming pass, checks every seal against
 * it, and accounts for every other row: the events table's count and seq
 * range, the impacts and runs rows rebuilt from the chain, and the schema's
 * triggers. All from one snapshot of the store.
 */
export async function verifyLog(store: Store, root: string): Promise<LogVerification> {
  const seals = [...readSeals(root)].sort((a, b) => a.seq - b.seq);
  const audit = store.audit ? await store.audit() : null;
  try {
    return await verifyFrom(store, audit, seals);
  } finally {
    await audit?.close();
  }
}

async function verifyFrom(store: Store, audit: StoreAudit | null, seals: Seal[]): Promise<LogVerification> {
  const verifier = createVerifier();
  const accountant = audit ? new RowAccountant(audit) : null;
  const bad: { seq: number; reason: string }[] = [];
  let firstBad: { seq: number; reason: string } | undefined;
  let next = 0;
  for await (const page of audit ? audit.events() : pages(store, 1)) {
    for (const event of page) {
      if (accountant) await accountant.push(event as StoredEvent);
      const result = verifier.push(event);
      if (!result.ok && !firstBad) firstBad = { seq: result.seq, reason: result.reason };
      for (; next < seals.length && seals[next].seq <= event.seq; next++) {
        const seal = seals[next];
        if (seal.seq < event.seq) {
          bad.push({ seq: seal.seq, reason: `sealed event ${seal.seq} is missing from the log (the log was rewritten)` });
        } else if (seal.hash !== event.hash) {
          bad.push({
            seq: seal.seq,
            reason: `event ${seal.seq} has hash ${short(event.hash)}… but was sealed as ${short(seal.hash)}… (the log was rewritten)`,
          });
        }
      }
    }
  }
  const end = verifier.head?.seq ?? 0;
  for (; next < seals.length; next++) {
    bad.push({ seq: seals[next].seq, reason: `sealed event ${seals[next].seq} is past the end of the log (seq ${end}): the log was rewritten or truncated` });
  }
  const rows = accountant && audit ? await accountant.finish(await audit.tally(), { count: verifier.count, headSeq: end }) : null;
  const schema = { problems: audit ? await audit.schemaProblems() : ['this store cannot list its tables and triggers: only the chain was checked'] };
  return {
    ok: !firstBad && bad.length === 0 && rows !== null && rows.problems.length === 0 && schema.problems.length === 0,
    events: verifier.count,
    head: verifier.head,
    ...(firstBad ? { firstBad } : {}),
    seals: { checked: seals.length, bad },
    rows,
    schema,
  };
}

/**
 * Appends the log's head to aigov.seals, after verifying every event since the
 * last seal (a broken chain is never sealed). When nothing was appended since
 * the last seal, that seal is returned and the file is left as it is.
 */
export async function sealLog(store: Store, root: string, now: Date = new Date()): Promise<Seal & { written: boolean }> {
  const seals = readSeals(root);
  const last = seals.reduce<Seal | null>((max, s) => (max && max.seq >= s.seq ? max : s), null);
  const verifier = createVerifier(last);
  let sawLast = last === null;
  for await (const page of pages(store, last ? last.seq : 1)) {
    for (const event of page) {
      if (!sawLast) {
        if (event.seq !== last!.seq || event.hash !== last!.hash) {
          throw new GateError('E_SEAL_MISMATCH', `the run log no longer matches the seal at seq ${last!.seq}; not sealing it`, {
            hint: 'run `aigov log verify`',
          });
        }
        sawLast = true;
        continue;
      }
      const result = verifier.push(event);
      if (!result.ok) {
        throw new GateError('E_CHAIN_BROKEN', `the run log is broken at seq ${result.seq} (${result.reason}); not sealing it`, {
          hint: 'run `aigov log verify`',
        });
      }
    }
  }
  if (!sawLast) {
    throw new GateError('E_SEAL_MISMATCH', `the run log no longer has the sealed event ${last!.seq}; not sealing it`, { hint: 'run `aigov log verify`' });
  }
  const head = verifier.head;
  if (head === null) throw new UsageError('the run log is empty: there is nothing to seal');
  if (last && head.seq === last.seq) return { ...last, written: false };
  const seal: Seal = { seq: head.seq, hash: head.hash, at: now.toISOString() };
  let text = readSealsText(root) ?? SEALS_HEADER;
  if (!text.endsWith('\n')) text += '\n';
  writeFileAtomic(join(root, SEALS_FILE), `${text}${JSON.stringify(seal)}\n`);
  return { ...seal, written: true };
}
