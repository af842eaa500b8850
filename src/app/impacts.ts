// The impacts a caller declares for `act` and `tag`, checked in full before anything is logged or run.
import { UsageError } from '../errors.js';
import type { Impact } from '../core/log/events.js';
import { didYouMean } from '../core/suggest.js';

const KEYS = new Set(['system', 'ref', 'action']);

/**
 * Returns clean copies of `raw` (a list of {system, ref?, action?}) or throws
 * E_IMPACT naming the first bad one. `downstream` is the automation's list;
 * null skips that check (a tag on a run of an automation no longer in the workspace).
 */
export function checkImpacts(automation: string, downstream: readonly string[] | null, raw: unknown): Impact[] {
  if (!Array.isArray(raw)) throw impactError(`impacts must be a list of { system, ref?, action? }, got ${kind(raw)}`);
  return raw.map((item, n) => checkImpact(automation, downstream, item, `impacts[${n}]`));
}

export function checkImpact(automation: string, downstream: readonly string[] | null, raw: unknown, where = 'the impact'): Impact {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw impactError(`${where} must be an object { system, ref?, action? }, got ${kind(raw)}`);
  const i = raw as Record<string, unknown>;
  const unknown = Object.keys(i).filter((k) => !KEYS.has(k));
  if (unknown.length) throw impactError(`${where} has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`, 'an impact has system, ref and action only');
  if (typeof i.system !== 'string' || i.system === '') throw impactError(`${where}.system must be a non-empty string, got ${kind(i.system)}`);
  if (downstream && !downstream.includes(i.system)) {
    throw impactError(`automation "${automation}" may not touch "${i.system}": it is not in its downstream list`, didYouMean(i.system, downstream) ?? `add it to downstream: in automations/${automation}.yaml`);
  }
  const out: Impact = { system: i.system };
  for (const key of ['ref', 'action'] as const) {
    const v = i[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || v === '') throw impactError(`${where}.${key} must be a non-empty string, got ${kind(v)}`, key === 'ref' ? 'e.g. ref: String(invoice.number)' : undefined);
    out[key] = v;
  }
  return out;
}

function impactError(message: string, hint?: string): UsageError {
  return new UsageError(message, { code: 'E_IMPACT', hint });
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v;
}
