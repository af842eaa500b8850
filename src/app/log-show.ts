// `aigov log show SEQ|HASH`: one event of the run log, found by its seq or by
// its hash (or a prefix of it, as git takes one), with its own link in the
// chain checked: its hash recomputed from its fields and its prevHash against
// the event before it. A tier_changed event also says where it stands against
// the lock's ledger, which names the change in effect by this hash.
import { UsageError } from '../errors.js';
import { createVerifier, type StoredEvent } from '../core/log/chain.js';
import type { EventType, LoggedEvent } from '../core/log/events.js';
import { ledgerStatuses, tierChangeRecord, type LedgerEntry, type TierChangeRecord } from '../core/tiers/history.js';
import type { Workspace } from '../core/workspace/workspace.js';
import type { Store } from '../store/types.js';
import { logPages } from './log-pages.js';
import { ledgerEntry } from './tier-history.js';

export interface ShownEvent {
  event: { seq: number; id: string; v: number; type: EventType; at: string; automation: string | null; runId: string | null; actor: string | null; data: unknown; prevHash: string; hash: string };
  /** Its link in the chain: its hash recomputed from its fields, its prevHash the hash of the event before. `aigov log verify` checks the whole chain. */
  chain: { ok: true } | { ok: false; reason: string };
  /** For a tier_changed event: the change, and the lock's entry for its automation. */
  tierChange?: TierChangeRecord & { ledger: LedgerEntry | null };
}

type Row = StoredEvent | LoggedEvent;

const SHORTEST_PREFIX = 4;
const FULL_HASH = /^[0-9a-f]{64}$/;

export async function showEvent(ws: Workspace, store: Store, ref: string): Promise<ShownEvent> {
  const { row, prev } = await findEvent(store, ref.trim());
  const checked = row.seq > 1 && !prev ? { ok: false as const, reason: `seq gap: event ${row.seq - 1} is missing (deleted)` } : createVerifier(prev && { seq: prev.seq, hash: prev.hash }).push(row);
  const data: unknown = 'dataJson' in row ? JSON.parse(row.dataJson) : row.data;
  const shown: ShownEvent = {
    event: { seq: row.seq, id: row.id, v: row.v, type: row.type, at: row.at, automation: row.automation, runId: row.runId, actor: row.actor, data, prevHash: row.prevHash, hash: row.hash },
    chain: checked.ok ? { ok: true } : { ok: false, reason: checked.reason },
  };
  if (row.type === 'tier_changed' && row.automation !== null) shown.tierChange = await tierChangeOf(ws, store, row.automation, { ...row, data: isRecord(data) ? data : {} });
  return shown;
}

async function tierChangeOf(ws: Workspace, store: Store, automation: string, e: { seq: number; hash: string; at: string; automation: string | null; data: Record<string, unknown> }): Promise<TierChangeRecord & { ledger: LedgerEntry | null }> {
  const ledger = ledgerEntry(ws, automation);
  // Where it stands needs the seq of the change the lock names: the automation's tier changes are few.
  const changes = ledger?.event && ledger.event !== e.hash ? await store.query({ automation, types: ['tier_changed'] }) : [];
  const all = [...changes.filter((c) => c.seq !== e.seq), e];
  const status = ledgerStatuses(all, ledger?.event).at(-1)!;
  return { ...tierChangeRecord(e, status), ledger };
}

/** The event `ref` names and the one before it (null for seq 1). */
async function findEvent(store: Store, ref: string): Promise<{ row: Row; prev: Row | null }> {
  const seq = /^#?(\d+)$/.exec(ref);
  if (seq) {
    const found = await atSeq(store, Number(seq[1]));
    if (found) return found;
    // Digits can be a hash prefix too; `#12` is only ever a seq.
    if (ref.startsWith('#') || ref.length < SHORTEST_PREFIX) throw notFound(ref);
  }
  const prefix = ref.toLowerCase();
  if (!/^[0-9a-f]+$/.test(prefix) || prefix.length < SHORTEST_PREFIX || prefix.length > 64) {
    throw new UsageError(`"${ref}" is neither a seq nor an event hash`, { hint: `give a seq (12 or #12) or at least ${SHORTEST_PREFIX} hex digits of a hash, e.g. the event: of an automation in aigov.lock` });
  }
  if (FULL_HASH.test(prefix)) {
    // The hashes people look up are the lock's: tier changes, few and indexed by type.
    const change = (await store.query({ types: ['tier_changed'] })).find((e) => e.hash === prefix);
    if (change) return (await atSeq(store, change.seq))!;
  }
  const matches = await byHashPrefix(store, prefix);
  if (!matches.length) throw notFound(ref);
  if (matches.length > 1) {
    throw new UsageError(`"${ref}" is the start of more than one event's hash (${matches.map((m) => `#${m.row.seq}`).join(', ')}${matches.length > 4 ? ', …' : ''})`, { hint: 'give more digits of the hash, or the seq' });
  }
  return matches[0];
}

async function atSeq(store: Store, seq: number): Promise<{ row: Row; prev: Row | null } | null> {
  if (!Number.isSafeInteger(seq) || seq < 1) return null;
  for await (const page of logPages(store, seq - 1)) {
    const row = page.find((r) => r.seq === seq);
    return row ? { row, prev: page.find((r) => r.seq === seq - 1) ?? null } : null;
  }
  return null;
}

/** Every event whose hash starts with `prefix` (at most five): the whole log read once, as stored. */
async function byHashPrefix(store: Store, prefix: string): Promise<{ row: Row; prev: Row | null }[]> {
  const matches: { row: Row; prev: Row | null }[] = [];
  let prev: Row | null = null;
  for await (const page of logPages(store)) {
    for (const row of page) {
      if (row.hash.startsWith(prefix)) {
        matches.push({ row, prev: prev?.seq === row.seq - 1 ? prev : null });
        if (matches.length > 4 || prefix.length === 64) return matches;
      }
      prev = row;
    }
  }
  return matches;
}

function notFound(ref: string): UsageError {
  return new UsageError(`no event ${ref} in the run log`, { hint: 'the seq or hash of an event: `aigov runs show RUN` lists a run’s events, and aigov.lock names each tier change’s event' });
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
