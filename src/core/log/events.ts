// The run log's event types and their payloads. Payload layouts are versioned by
// EVENT_FORMAT: changing one needs a bump, and old events stay readable
// (payloads.ts says what each version holds).
import type { z } from 'zod';
import type { PayloadSchemas, StoredImpact } from './payloads.js';

export const EVENT_FORMAT = 2;

export const EVENT_TYPES = [
  'run_started',
  'run_finished',
  'run_failed',
  'run_abandoned',
  'review_resolved',
  'action_started',
  'action_taken',
  'action_failed',
  'notification_sent',
  'revert_started',
  'action_reverted',
  'impact_tagged',
  'tier_changed',
  'eval_completed',
  'model_pinned',
  'model_mismatch',
  'review_completed',
  'threshold_changed',
] as const satisfies readonly (keyof PayloadSchemas)[];

export type EventType = (typeof EVENT_TYPES)[number];

/** The typed payload of one event type. */
export type EventPayload<T extends EventType> = z.infer<PayloadSchemas[T]>;

export type Disposition = 'auto' | 'review' | 'approval_required';

/** An impact as a caller declares it. */
export interface Impact {
  system: string;
  ref?: string;
  action?: string;
}

/** An impact as the log holds it (a tag may carry null for an absent ref or action). */
export type { StoredImpact };

/** What a caller hands to the store; the store assigns seq, id, at (if absent), prevHash and hash, and checks `data` against its type's schema. */
export interface NewEvent {
  type: EventType;
  automation?: string | null;
  runId?: string | null;
  actor?: string | null;
  data: Record<string, unknown>;
  /** ISO 8601; the store's clock when absent. */
  at?: string;
}

/** The fields every stored event has, whatever its type. */
export interface EventEnvelope {
  v: number;
  seq: number;
  id: string;
  at: string;
  automation: string | null;
  runId: string | null;
  actor: string | null;
  prevHash: string;
  hash: string;
}

/** A stored event of one type, with its typed payload. */
export type EventOf<T extends EventType> = EventEnvelope & { type: T; data: EventPayload<T> };

/** An event as stored: immutable, chained; `type` tells the layout of `data`. */
export type LoggedEvent = { [T in EventType]: EventOf<T> }[EventType];
