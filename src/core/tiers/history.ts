// A tier change as the run log holds it, read back for people: from and to,
// who and why, and every gate as it stood (the evidence), with whether it is
// the change aigov.lock names. Pure: the events and the lock's entry come in.
import type { Gate } from './gates.js';
import type { Tier } from './policy.js';

/**
 * Where a logged change stands against the lock's ledger: `in-effect`, the
 * change the lock's entry names by its hash; `superseded`, an earlier one;
 * `not-in-effect`, one no lock entry refers to (logged after the one the lock
 * names, or while the lock names none: a change whose file writes failed, or
 * one that lost a race).
 */
export type LedgerStatus = 'in-effect' | 'superseded' | 'not-in-effect';

/** The lock's entry for one automation, as aigov.lock holds it. */
export interface LedgerEntry {
  tier: Tier;
  since: string;
  by: string;
  event: string | null;
}

export interface TierChangeRecord {
  seq: number;
  hash: string;
  at: string;
  automation: string | null;
  from: number | null;
  to: number | null;
  reason: string | null;
  by: string | null;
  /** What the machine said about who decided (OS login, host, git user.email), as logged. */
  identity: { osUser: string | null; host: string | null; gitEmail: string | null } | null;
  forced: boolean;
  /** The gates that failed when it was forced. */
  failing: string[];
  /** Every gate as it stood when the change was made. */
  gates: Gate[];
  status: LedgerStatus;
}

/** One logged `tier_changed` event: its envelope and payload (read defensively: an old or odd payload still shows). */
export interface TierChangeEvent {
  seq: number;
  hash: string;
  at: string;
  automation: string | null;
  data: Readonly<Record<string, unknown>>;
}

/** The status of each change (in seq order or not) against the hash the lock's entry names. */
export function ledgerStatuses(changes: readonly { seq: number; hash: string }[], lockEvent: string | null | undefined): LedgerStatus[] {
  const inEffect = lockEvent ? changes.find((c) => c.hash === lockEvent)?.seq : undefined;
  return changes.map((c) => (c.seq === inEffect ? 'in-effect' : inEffect !== undefined && c.seq < inEffect ? 'superseded' : 'not-in-effect'));
}

export function tierChangeRecord(e: TierChangeEvent, status: LedgerStatus): TierChangeRecord {
  const d = e.data;
  const id = isRecord(d.identity) ? d.identity : null;
  return {
    seq: e.seq,
    hash: e.hash,
    at: e.at,
    automation: e.automation,
    from: typeof d.from === 'number' ? d.from : null,
    to: typeof d.to === 'number' ? d.to : null,
    reason: typeof d.reason === 'string' ? d.reason : null,
    by: typeof d.by === 'string' ? d.by : null,
    identity: id && { osUser: textOrNull(id.osUser), host: textOrNull(id.host), gitEmail: textOrNull(id.gitEmail) },
    forced: d.forced === true,
    failing: Array.isArray(d.failing) ? d.failing.filter((f): f is string => typeof f === 'string') : [],
    gates: Array.isArray(d.evidence) ? d.evidence.filter(isGate) : [],
    status,
  };
}

function isGate(g: unknown): g is Gate {
  if (!isRecord(g)) return false;
  const value = (v: unknown): boolean => v === null || typeof v === 'string' || typeof v === 'number';
  return typeof g.name === 'string' && (typeof g.required === 'string' || typeof g.required === 'number') && value(g.actual) && typeof g.pass === 'boolean';
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
