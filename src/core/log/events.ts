// The run log's event types and their payloads. Payload layouts are versioned by
// EVENT_FORMAT: changing one needs a bump, and old events stay readable.

export const EVENT_FORMAT = 1;

export const EVENT_TYPES = [
  'run_started',
  'run_finished',
  'run_failed',
  'review_resolved',
  'action_taken',
  'action_reverted',
  'impact_tagged',
  'tier_changed',
  'eval_completed',
  'model_pinned',
  'model_mismatch',
  'review_completed',
  'threshold_changed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export type Disposition = 'auto' | 'review' | 'approval_required';

export interface Impact {
  system: string;
  ref?: string;
  action?: string;
}

/** What a caller hands to the store; the store assigns seq, id, at (if absent), prevHash and hash. */
export interface NewEvent {
  type: EventType;
  automation?: string | null;
  runId?: string | null;
  actor?: string | null;
  data: Record<string, unknown>;
  /** ISO 8601; the store's clock when absent. */
  at?: string;
}

/** An event as stored: immutable, chained. */
export interface LoggedEvent {
  v: number;
  seq: number;
  id: string;
  type: EventType;
  at: string;
  automation: string | null;
  runId: string | null;
  actor: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}
