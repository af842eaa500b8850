// The file formats, as zod schemas: the one source of truth for validation,
// the TypeScript types and `aigov schema` (JSON Schema for editors).
import * as z from 'zod';
import { publicKeyProblem } from '../log/seal-keys.js';

/** Samples per case, in a suite file and from `--repeat`. */
export const MAX_REPEAT = 100;
/** Calls in flight, in aigov.yaml's `defaults` and from `--concurrency`. */
export const MAX_CONCURRENCY = 1024;
/** Retries of one call, in aigov.yaml's `defaults` and from `--retries`. */
export const MAX_RETRIES = 20;

// Built on first use, not at import: constructing them costs some 12 ms, which
// every command paid at start-up, and a read whose files are all in the parse
// cache (app/parse-cache.ts) needs none of them.
function build() {
  const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "-" or "." (starting with a letter or digit)');
  const modelRef = z.string().regex(/^[A-Za-z0-9_-]+:[^\s]+$/, 'provider:model, e.g. openai:gpt-4o-mini');
  const command = z.array(z.string().min(1)).min(1);
  const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30m, 24h or 7d');

  const providerSchema = z.strictObject({
    type: z.enum(['openai', 'anthropic', 'exec']).optional(),
    baseURL: z.url().optional(),
    apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name').optional(),
    command: command.optional(),
  });

  const configSchema = z.strictObject({
    version: z.literal(1),
    models: z.record(id, modelRef),
    providers: z.record(id, providerSchema).optional(),
    store: z.string().regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'sqlite:PATH or postgres://user@host:5432/db').optional(),
    pricing: z
      .record(
        z.string(),
        z.strictObject({
          input: z.number().nonnegative(),
          output: z.number().nonnegative(),
          /** Input tokens read from the provider's prompt cache; priced as `input` when absent. */
          cacheRead: z.number().nonnegative().optional(),
          /** Input tokens written to the provider's prompt cache (Anthropic); priced as `input` when absent. */
          cacheWrite: z.number().nonnegative().optional(),
        }),
      )
      .optional(),
    defaults: z
      .strictObject({
        concurrency: z.int().min(1).max(MAX_CONCURRENCY).optional(),
        timeoutMs: z.int().min(1).optional(),
        retries: z.int().min(0).max(MAX_RETRIES).optional(),
      })
      .optional(),
    seals: z
      .strictObject({
        // Every key that signed a seal still in aigov.seals stays listed; `aigov log verify` checks each signature.
        publicKeys: z
          .array(
            z.strictObject({
              id,
              key: z.string().superRefine((key, ctx) => {
                const problem = publicKeyProblem(key);
                if (problem) ctx.addIssue({ code: 'custom', message: problem });
              }),
            }),
          )
          .superRefine((keys, ctx) => {
            keys.forEach((k, i) => {
              if (keys.findIndex((o) => o.id === k.id) < i) ctx.addIssue({ code: 'custom', message: `duplicate key id "${k.id}"`, path: [i, 'id'] });
            });
          })
          .default([]),
      })
      .optional(),
  });

  const message = z.strictObject({
    role: z.enum(['system', 'user', 'assistant']),
    content: z.string(),
  });

  const varSpec = z.strictObject({
    type: z.enum(['string', 'number', 'boolean']).default('string'),
    required: z.boolean().default(true),
    maxLength: z.int().positive().optional(),
    description: z.string().optional(),
  });

  const confidence = z.union([
    z.enum(['logprobs', 'none']),
    z.string().regex(/^field:\/.*$/, 'field:/json/pointer'),
    z.string().regex(/^samples:([2-9]|[1-9]\d+)$/, 'samples:K with K >= 2'),
  ]);

  const promptSchema = z.strictObject({
    id,
    version: z.int().positive(),
    description: z.string().optional(),
    model: id,
    params: z.record(z.string(), z.unknown()).default({}),
    messages: z.array(message).min(1),
    vars: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name'), varSpec).default({}),
    output: z
      .strictObject({
        type: z.enum(['text', 'json']).default('text'),
        schema: z.record(z.string(), z.unknown()).optional(),
        confidence: confidence.default('none'),
      })
      .default({ type: 'text', confidence: 'none' }),
  });

  /** One assertion; `type` is checked against the registry by the cross-reference rules, with a did-you-mean. */
  const assertionSchema = z.looseObject({
    type: z.string().min(1),
    value: z.unknown().optional(),
  });

  // zod's own "Invalid input" names no fix; these say what the file should hold.
  const describeInput = (input: unknown): string => (Array.isArray(input) ? 'a list' : input === null ? 'nothing' : typeof input === 'object' ? 'a mapping' : JSON.stringify(input));
  const varValue = z.union([z.string(), z.number(), z.boolean()], { error: (iss) => `expected a string, number or boolean, got ${describeInput(iss.input)}` });
  const caseVars = z.record(z.string(), varValue, {
    error: (iss) => (iss.code === 'invalid_type' ? `vars is a mapping of variable name to value, e.g. vars: { text: "..." }; got ${describeInput(iss.input)}` : undefined),
  });

  const evalCase = z.strictObject({
    id,
    description: z.string().optional(),
    vars: caseVars.default({}),
    expect: z.unknown().optional(),
    assert: z.array(assertionSchema).optional(),
  });

  const suiteSchema = z.strictObject({
    suite: id,
    prompt: id,
    description: z.string().optional(),
    repeat: z.int().min(1).max(MAX_REPEAT).default(1),
    passRate: z.number().min(0).max(1).default(1),
    cases: z.array(evalCase).min(1),
  });

  const governance = z.strictObject({
    purpose: z.string().min(1),
    data: z.string().min(1),
    decisions: z.strictObject({ autonomous: z.string().min(1), humanReview: z.string().min(1) }),
    testing: z.string().min(1),
    monitoring: z.string().min(1),
    overrideProcess: z.string().min(1),
    limitations: z.string().min(1),
  });

  const automationSchema = z.strictObject({
    id,
    name: z.string().min(1),
    owner: z.string().min(1, 'an owner is required: who answers for this automation'),
    tier: z.union([z.literal(1), z.literal(2), z.literal(3)], { error: (iss) => (iss.input === undefined ? 'required: expected 1, 2 or 3' : `expected 1, 2 or 3, got ${describeInput(iss.input)}`) }),
    prompt: id,
    evals: z.array(id).default([]),
    downstream: z.array(id).default([]),
    confidence: z.strictObject({ threshold: z.number().min(0).max(1) }).optional(),
    logInputs: z.boolean().default(false),
    // timeout: how long the command may run before its whole process group is killed (default 60s).
    reversal: z.strictObject({ window: duration, command, timeout: duration.optional() }).optional(),
    notify: z.strictObject({ command, timeout: duration.optional() }).optional(),
    promotion: z
      .strictObject({
        minRuns: z.int().min(0).default(100),
        maxOverrideRate: z.number().min(0).max(1).default(0.05),
        maxErrorRate: z.number().min(0).max(1).default(0.02),
        maxLowConfidenceRate: z.number().min(0).max(1).default(0.2),
      })
      .optional(),
    review: z
      .strictObject({
        cadence: z.enum(['weekly', 'monthly', 'quarterly']).optional(),
        /** The share of auto runs also queued for audit (`run_finished.audit`), chosen by a hash of the run id. */
        sample: z.number({ error: 'expected a share of runs from 0 to 1, e.g. 0.02' }).min(0, 'expected a share of runs from 0 to 1, e.g. 0.02').max(1, 'expected a share of runs from 0 to 1, e.g. 0.02 (not a percentage)').optional(),
      })
      .optional(),
    /** What a run does when the API answers with another model than the lock's `served`: go to review (default), or only warn. */
    modelMismatch: z.enum(['review', 'warn']).optional(),
    governance: governance.partial().optional(),
  });

  const lockedModel = z.strictObject({
    requested: modelRef,
    resolved: modelRef,
    /** What the API reports as `model` when asked for `resolved`; null where it reports none. Absent in version 1 locks. */
    served: z.string().min(1).nullable().optional(),
    pinnedAt: z.string(),
    pinnedBy: z.string(),
  });

  /** One automation's entry in the ledger of tier decisions. */
  const lockedAutomation = z.strictObject({
    tier: z.union([z.literal(1), z.literal(2), z.literal(3)], { error: 'expected 1, 2 or 3' }),
    since: z.string(),
    by: z.string(),
    /** The hash of the `tier_changed` event holding the evidence; null for an entry `aigov pin` made. */
    event: z.string().nullable(),
  });

  const lockSchema = z.strictObject({
    lockfileVersion: z.union([z.literal(1), z.literal(2)], { error: 'expected lockfileVersion 1 or 2' }),
    models: z.record(z.string(), lockedModel).default({}),
    prompts: z.record(z.string(), z.strictObject({ version: z.int().positive(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).default({}),
    /** The committed ledger of tier decisions (version 2); absent in version 1 locks. */
    automations: z.record(z.string(), lockedAutomation).optional(),
  });
  return { providerSchema, configSchema, promptSchema, assertionSchema, suiteSchema, automationSchema, lockSchema, lockedModel, lockedAutomation };
}

type Schemas = ReturnType<typeof build>;
let built: Schemas | undefined;

/** The zod schemas of the workspace files and their parts, built once. */
export function schemas(): Schemas {
  return (built ??= build());
}

export type Config = z.infer<Schemas['configSchema']>;
export type ProviderDecl = z.infer<Schemas['providerSchema']>;
export type Prompt = z.infer<Schemas['promptSchema']>;
export type Suite = z.infer<Schemas['suiteSchema']>;
export type EvalCase = Suite['cases'][number];
export type AssertionSpec = z.infer<Schemas['assertionSchema']>;
export type Automation = z.infer<Schemas['automationSchema']>;
export type Lockfile = z.infer<Schemas['lockSchema']>;
export type LockedModel = z.infer<Schemas['lockedModel']>;
export type LockedAutomation = z.infer<Schemas['lockedAutomation']>;

/** The kinds of workspace file, in the order `aigov schema` lists them. */
export const FILE_KINDS = ['config', 'prompt', 'suite', 'automation', 'lock'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

interface FileSchemas {
  config: Schemas['configSchema'];
  prompt: Schemas['promptSchema'];
  suite: Schemas['suiteSchema'];
  automation: Schemas['automationSchema'];
  lock: Schemas['lockSchema'];
}

/** The schema a file of `kind` is checked against. */
export function fileSchema<K extends FileKind>(kind: K): FileSchemas[K] {
  const s = schemas();
  const byKind: FileSchemas = { config: s.configSchema, prompt: s.promptSchema, suite: s.suiteSchema, automation: s.automationSchema, lock: s.lockSchema };
  return byKind[kind];
}
