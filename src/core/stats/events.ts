// The run-log fields the statistics read, typed narrowly and read defensively:
// the fold takes events from any version of the log, and a payload that lacks a
// field (or holds the wrong type) counts as not having it, never as a crash.

/** What the fold needs of an event; the store's LoggedEvent is one. */
export interface FoldEvent {
  type: string;
  at: string;
  automation: string | null;
  runId: string | null;
  data: Readonly<Record<string, unknown>>;
}

export type Decision = 'approve' | 'override' | 'reject';
export type Disposition = 'auto' | 'review' | 'approval_required';

export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function record(value: unknown): Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Milliseconds since the epoch, or null for a time that does not parse. */
export function timeOf(at: unknown): number | null {
  if (typeof at !== 'string') return null;
  const t = Date.parse(at);
  return Number.isNaN(t) ? null : t;
}

export function decisionOf(data: Readonly<Record<string, unknown>>): Decision | null {
  const d = data.decision;
  return d === 'approve' || d === 'override' || d === 'reject' ? d : null;
}

export function dispositionOf(data: Readonly<Record<string, unknown>>): Disposition | null {
  const d = data.disposition;
  return d === 'auto' || d === 'review' || d === 'approval_required' ? d : null;
}
