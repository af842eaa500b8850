// The payload of each event type, as a zod schema: checked when an event is
// appended (a wrong type never reaches the log) and parsed once when it is read,
// so readers get typed data instead of casting. Objects are loose: a field this
// version does not know is kept as it is (the hash covers it), so a newer
// writer's extra fields do not make an older reader fail.
//
// Layouts are versioned by EVENT_FORMAT (events.ts), stored in each event's `v`:
//   1  the first run log: the types up to model_mismatch.
//   2  run_abandoned, action_started, action_failed, notification_sent and
//      review_completed, revert_started; `audit` on run_finished and review_resolved;
//      `served` on run_started's model and on eval_completed; `inputFingerprint`
//      on run_started (instead of inputSha256); `identity` beside a person's name
//      on review_resolved, run_abandoned, revert_started and action_reverted.
// A version-1 event parses with the same schemas: every field added since is
// optional, and what a version-1 writer could leave out is optional too.
import * as z from 'zod';
import { compileFits, type Fits } from './payload-fits.js';

const text = z.string();
const nonEmpty = z.string().min(1);
const tier = z.union([z.literal(1), z.literal(2), z.literal(3)], { error: 'a tier is 1, 2 or 3' });
const count = z.number().int().min(0);
const seconds = z.number().min(0);

export const DISPOSITIONS = ['auto', 'review', 'approval_required'] as const;
export const DECISIONS = ['approve', 'override', 'reject'] as const;

/** A record of a downstream system an action touched. Numbers are refused: a ref is the system's own text. */
export const impactSchema = z.object({ system: nonEmpty, ref: text.nullish(), action: text.nullish() }).loose();

const promptRef = z.object({ id: text, version: z.number().int(), sha256: text }).loose();
const errorInfo = z.object({ type: text, message: text }).loose();
/** A notify or reversal command's outcome. */
const commandResult = z.object({ ok: z.boolean(), exitCode: z.number().int().nullable().optional(), stdout: text.optional(), stderr: text.optional() }).loose();

// Each type's schema is built the first time it is needed, not at import: building
// all of them cost every opening of the run log some 8 ms, and most commands check
// or parse a few types (an eval appends one).
export const PAYLOAD_SCHEMAS = {
  run_started: () => z
    .object({
      inputSha256: text.optional(),
      inputFingerprint: z.object({ alg: z.enum(['sha256', 'hmac-sha256']), value: text }).loose().optional(),
      triggeredBy: text.nullish(),
      tier,
      prompt: promptRef,
      model: z.object({ requested: text, resolved: text, served: text.nullish() }).loose(),
      input: z.unknown().optional(),
    })
    .loose(),
  run_finished: () => z
    .object({
      output: z.unknown(),
      // SPEC: a finite number in 0..1, or null when the run has none.
      confidence: z.number().min(0).max(1).nullable(),
      confidenceSource: text.optional(),
      modelReturned: text.nullish(),
      systemFingerprint: text.nullish(),
      tokens: z.object({ input: count, output: count }).loose().optional(),
      costUsd: z.number().min(0).nullable().optional(),
      durationMs: seconds.optional(),
      truncated: z.boolean().optional(),
      disposition: z.enum(DISPOSITIONS),
      audit: z.boolean().optional(),
    })
    .loose(),
  run_failed: () => z.object({ error: errorInfo, durationMs: seconds.optional() }).loose(),
  run_abandoned: () => z.object({ reason: nonEmpty, by: nonEmpty }).loose(),
  review_resolved: () => z
    .object({
      decision: z.enum(DECISIONS),
      reviewer: nonEmpty,
      reason: text.nullish(),
      output: z.unknown().optional(),
      audit: z.boolean().optional(),
    })
    .loose(),
  action_started: () => z.object({ impacts: z.array(impactSchema), reversibleUntil: text.nullish() }).loose(),
  action_taken: () => z
    .object({
      impacts: z.array(impactSchema),
      notified: z.boolean().optional(),
      reversibleUntil: text.nullish(),
      result: z.unknown().optional(),
    })
    .loose(),
  action_failed: () => z.object({ error: errorInfo }).loose(),
  notification_sent: () => z.object({ ok: z.boolean(), error: z.unknown().optional() }).loose(),
  // A revert's claim, before the reversal command runs: of two racing reverts only one logs it.
  revert_started: () => z.object({ by: nonEmpty, reason: text, inDoubt: z.boolean().optional() }).loose(),
  action_reverted: () => z.object({ by: nonEmpty, reason: text, result: commandResult }).loose(),
  impact_tagged: () => impactSchema,
  threshold_changed: () => z.object({ from: z.number().min(0).max(1).nullable(), to: z.number().min(0).max(1), reason: text.nullish(), by: nonEmpty, evidence: z.unknown().optional() }).loose(),
  tier_changed: () => z.object({ from: tier, to: tier, reason: text.nullish(), by: nonEmpty, evidence: z.unknown().optional() }).loose(),
  review_completed: () => z.object({ month: z.string().regex(/^\d{4}-\d{2}$/), by: nonEmpty, flags: z.unknown().optional() }).loose(),
  eval_completed: () => z
    .object({
      suite: text,
      prompt: promptRef.optional(),
      model: text.optional(),
      served: text.nullish(),
      mode: text.optional(),
      passRate: z.number().min(0).max(1).nullable().optional(),
      passed: z.boolean().optional(),
      cases: count.optional(),
      commit: text.nullish(),
      dirty: z.boolean().optional(),
    })
    .loose(),
  model_pinned: () => z.object({ name: text, from: text.nullable().optional(), to: text, served: text.nullish(), by: text.optional(), evidence: z.unknown().optional() }).loose(),
  model_mismatch: () => z.object({ expected: text, returned: text }).loose(),
} as const;

export type PayloadSchemas = { [K in keyof typeof PAYLOAD_SCHEMAS]: ReturnType<(typeof PAYLOAD_SCHEMAS)[K]> };

const built = new Map<string, { schema: z.ZodType; fits: Fits }>();

/** The schema of an event type's payload and its predicate, built once; undefined for a type there is none of. */
function schemaOf(type: string): { schema: z.ZodType; fits: Fits } | undefined {
  let entry = built.get(type);
  if (!entry && Object.hasOwn(PAYLOAD_SCHEMAS, type)) {
    const schema = PAYLOAD_SCHEMAS[type as keyof typeof PAYLOAD_SCHEMAS]() as z.ZodType;
    entry = { schema, fits: compileFits(schema) };
    built.set(type, entry);
  }
  return entry;
}
export type StoredImpact = z.infer<typeof impactSchema>;

/** Where a payload breaks its type's schema, as `data.path: message`; null when it fits. */
export function payloadProblem(type: keyof PayloadSchemas, data: unknown): string | null {
  const parsed = parsePayload(type, data);
  return parsed.ok ? null : parsed.problem;
}

/**
 * The typed payload of a stored event, or the problem that keeps it from being
 * one. A payload that fits is handed back as it is (the schemas transform nothing).
 */
export function parsePayload(type: keyof PayloadSchemas, data: unknown): { ok: true; data: unknown } | { ok: false; problem: string } {
  const entry = schemaOf(type);
  if (!entry) return { ok: false, problem: `unknown event type ${JSON.stringify(type)}` };
  if (entry.fits(data)) return { ok: true, data };
  const result = entry.schema.safeParse(data);
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return { ok: false, problem: `data${path}: ${issue.message}` };
}
