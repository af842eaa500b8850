// The run log's hash chain. Each event commits to the one before it, so an edit,
// a deletion or a reordering anywhere shows up as the first event whose links no
// longer hold. Pure: the clock and the id generator are passed in.
import { hash } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { canonicalText, canonicalize, quote } from './canonical-text.js';
import { EVENT_FORMAT, EVENT_TYPES, type LoggedEvent, type NewEvent } from './events.js';
import { payloadProblem } from './payloads.js';

/** The prevHash of the first event of every chain. */
export const GENESIS = '0'.repeat(64);

export interface ChainHead {
  seq: number;
  hash: string;
}

/** Every field of an event that its hash covers: all but hash and prevHash. */
export type HashedFields = Pick<LoggedEvent, 'v' | 'seq' | 'id' | 'type' | 'at' | 'automation' | 'runId' | 'actor' | 'data'>;

export function hashEvent(prevHash: string, fields: HashedFields): string {
  return hashEventText(prevHash, fields, canonicalText(fields.data));
}

/** A field's canonical JSON, with the common case (plain text) inline. */
function field(value: unknown): string {
  return typeof value === 'string' ? quote(value) : canonicalText(value);
}

/**
 * `sha256(prevHash + canonicalJson(fields))`, spelled out with the keys in
 * canonical (sorted) order, from the canonical JSON of `data` the caller may
 * already hold (the text a store keeps), so each payload is serialized once.
 * Verifying a long log spends most of its time here.
 */
export function hashEventText(prevHash: string, f: Omit<HashedFields, 'data'>, dataJson: string): string {
  const { v, seq, id, type, at, automation, runId, actor } = f;
  const missing =
    v === undefined || seq === undefined || id === undefined || type === undefined ||
    at === undefined || automation === undefined || runId === undefined || actor === undefined;
  if (missing) {
    // canonicalJson leaves an undefined field out; a stored event has none.
    const data: unknown = JSON.parse(dataJson);
    return hash('sha256', prevHash + canonicalText({ v, seq, id, type, at, automation, runId, actor, data }), 'hex');
  }
  const text =
    '{"actor":' + field(actor) + ',"at":' + field(at) + ',"automation":' + field(automation) + ',"data":' + dataJson +
    ',"id":' + field(id) + ',"runId":' + field(runId) + ',"seq":' + field(seq) + ',"type":' + field(type) + ',"v":' + field(v) + '}';
  return hash('sha256', prevHash + text, 'hex');
}

/**
 * The canonical text an event's hash covers, in the pieces around its data and
 * its seq: `before + dataJson + middle + seq + after`. A store that assigns
 * seq and hashes inside the database (PostgreSQL) sends these.
 */
export function hashParts(f: Omit<HashedFields, 'data' | 'seq'>): { before: string; middle: string; after: string } {
  return {
    before: '{"actor":' + field(f.actor) + ',"at":' + field(f.at) + ',"automation":' + field(f.automation) + ',"data":',
    middle: ',"id":' + field(f.id) + ',"runId":' + field(f.runId) + ',"seq":',
    after: ',"type":' + field(f.type) + ',"v":' + field(f.v) + '}',
  };
}

export interface ChainDeps {
  /** ISO 8601 time for events that carry no `at`. */
  now: () => string;
  newId: () => string;
}

/** A chained event and the canonical JSON of its data, as a store writes it. */
export interface ChainedRow {
  event: LoggedEvent;
  dataJson: string;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

/** Normalizes a timestamp so that stored times compare correctly as text. */
export function normalizeTime(at: string, what = 'at'): string {
  const ms = typeof at === 'string' ? Date.parse(at) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`${what} must be an ISO 8601 time, got ${JSON.stringify(at)}`);
  return new Date(ms).toISOString();
}

function checkEvent(e: NewEvent): void {
  if (!KNOWN_TYPES.has(e.type)) {
    throw new UsageError(`unknown event type ${JSON.stringify(e.type)}`, { hint: `one of ${EVENT_TYPES.join(', ')}` });
  }
  if (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data)) {
    throw new UsageError(`the data of a ${e.type} event must be an object`);
  }
}

/** An event checked and serialized, not yet chained: what a store can do before it holds the write lock. */
export interface PreparedRow {
  event: Omit<LoggedEvent, 'seq' | 'prevHash' | 'hash'> & { data: LoggedEvent['data'] };
  dataJson: string;
}

/**
 * Checks and serializes new events (type, payload against its schema, time)
 * and gives each an id. Throws a UsageError naming the first bad one. What the
 * caller gets back after chaining deep-equals what any later reader gets: the
 * data of each event is the caller's own object where JSON carries it
 * unchanged, else the parse of its canonical JSON (undefined dropped, a Date
 * as {}, and so on).
 */
export function prepareRows(events: readonly NewEvent[], deps: ChainDeps): PreparedRow[] {
  // One clock reading for the whole batch: its events are written at one instant.
  let now: string | undefined;
  const rows: PreparedRow[] = [];
  for (const e of events) {
    checkEvent(e);
    const { text: dataJson, exact } = canonicalize(e.data);
    // Reading a character makes V8 flatten the concatenated text in place, so
    // hashing and the database driver each read one flat string, not a rope.
    dataJson.charCodeAt(0);
    // What is checked is what is stored: the payload as its canonical JSON reads back.
    const data = (exact ? e.data : JSON.parse(dataJson)) as LoggedEvent['data'];
    const problem = payloadProblem(e.type, data);
    if (problem) throw new UsageError(`a ${e.type} event does not fit its layout: ${problem}`);
    rows.push({
      event: {
        v: EVENT_FORMAT,
        id: deps.newId(),
        type: e.type,
        at: e.at === undefined ? (now ??= normalizeTime(deps.now())) : normalizeTime(e.at),
        automation: e.automation ?? null,
        runId: e.runId ?? null,
        actor: e.actor ?? null,
        data,
      } as PreparedRow['event'],
      dataJson,
    });
  }
  return rows;
}

/** Chains prepared events after `head` (null for an empty log): seq, prevHash and hash. */
export function linkRows(head: ChainHead | null, prepared: readonly PreparedRow[]): ChainedRow[] {
  let seq = head ? head.seq : 0;
  let prevHash = head ? head.hash : GENESIS;
  const rows: ChainedRow[] = [];
  for (const { event: p, dataJson } of prepared) {
    seq += 1;
    // A literal, not a spread: spreading here cost more than hashing.
    const event = { v: p.v, seq, id: p.id, type: p.type, at: p.at, automation: p.automation, runId: p.runId, actor: p.actor, data: p.data, prevHash, hash: '' } as LoggedEvent;
    event.hash = hashEventText(prevHash, event, dataJson);
    rows.push({ event, dataJson });
    prevHash = event.hash;
  }
  return rows;
}

/** Checks, serializes and chains new events after `head` in one step. */
export function chainRows(head: ChainHead | null, events: readonly NewEvent[], deps: ChainDeps): ChainedRow[] {
  return linkRows(head, prepareRows(events, deps));
}

export function chainEvents(head: ChainHead | null, events: readonly NewEvent[], deps: ChainDeps): LoggedEvent[] {
  return chainRows(head, events, deps).map((r) => r.event);
}

/**
 * An event as its row holds it: `dataJson` is the stored canonical JSON text of
 * its data, which the hash covers. Verifying from it skips parsing the payload.
 */
export interface StoredEvent extends Omit<LoggedEvent, 'data'> {
  dataJson: string;
}

export type VerifyResult = { ok: true } | { ok: false; seq: number; reason: string };

export interface ChainVerifier {
  /** Checks the next event of the chain, in seq order. After a failure it goes on from that event. */
  push(event: LoggedEvent | StoredEvent): VerifyResult;
  /** The last event pushed, or the starting head. */
  readonly head: ChainHead | null;
  readonly count: number;
}

const OK: VerifyResult = { ok: true };

/**
 * An incremental verifier: constant memory, so a log of any length can be
 * streamed through it. `from` is a trusted head to continue after (a seal);
 * without it the first event must be seq 1 on the genesis hash.
 */
export function createVerifier(from: ChainHead | null = null): ChainVerifier {
  let seq = from ? from.seq : 0;
  let hash = from ? from.hash : GENESIS;
  let count = 0;
  return {
    get head() {
      return count === 0 && !from ? null : { seq, hash };
    },
    get count() {
      return count;
    },
    push(event) {
      count += 1;
      const result = check(event, seq + 1, hash);
      seq = event.seq;
      hash = event.hash;
      return result;
    },
  };
}

function check(event: LoggedEvent | StoredEvent, expectedSeq: number, expectedPrev: string): VerifyResult {
  if (event.seq > expectedSeq) {
    const missing = event.seq - 1 === expectedSeq ? `event ${expectedSeq} is` : `events ${expectedSeq}-${event.seq - 1} are`;
    return { ok: false, seq: expectedSeq, reason: `seq gap: ${missing} missing (deleted)` };
  }
  if (event.seq < expectedSeq) {
    return { ok: false, seq: event.seq, reason: `seq out of order: expected ${expectedSeq}, found ${event.seq} (reordered or inserted)` };
  }
  if (event.prevHash !== expectedPrev) {
    return { ok: false, seq: event.seq, reason: 'prevHash mismatch: it does not link to the event before (reordered or inserted)' };
  }
  const actual = 'dataJson' in event ? hashEventText(event.prevHash, event, event.dataJson) : hashEvent(event.prevHash, event);
  if (actual !== event.hash) {
    return { ok: false, seq: event.seq, reason: 'hash mismatch: the event was edited' };
  }
  return OK;
}
