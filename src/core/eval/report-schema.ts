// What a JSON eval report must hold to be read back (by `--merge`): the fields
// the merge and the renderers use, checked, so that a hand-edited or truncated
// report is a clear refusal and never a crash. Unknown fields are kept: a newer
// aigov may add some. Pure.
import * as z from 'zod';
import { REPORT_VERSION, type EvalReport } from './report.js';

const count = z.int().min(0);
const tokens = z.looseObject({ input: count, output: count });

const sample = z.looseObject({
  sample: count,
  output: z.string().optional(),
  error: z.looseObject({ kind: z.string(), message: z.string() }).optional(),
  pass: z.boolean(),
  assertions: z.array(z.looseObject({ type: z.string(), pass: z.boolean(), score: z.number(), reason: z.string() })),
  tokens,
  costUsd: z.number().nullable(),
  latencyMs: z.number(),
  truncated: z.boolean().optional(),
});

const caseResult = z.looseObject({
  id: z.string(),
  status: z.enum(['pass', 'fail', 'error']),
  line: z.int().positive().optional(),
  samples: z.array(sample),
});

const totals = z.looseObject({
  cases: count,
  passed: count,
  failed: count,
  errors: count,
  interrupted: count.optional(),
  passRate: z.number(),
  tokens,
  costUsd: z.number().nullable(),
  durationMs: z.number(),
});

const suite = z.looseObject({
  suite: z.string(),
  file: z.string(),
  prompt: z.looseObject({ id: z.string(), version: z.int(), sha256: z.string(), editedSinceLock: z.boolean() }),
  model: z.looseObject({ name: z.string(), requested: z.string(), resolved: z.string(), locked: z.boolean(), served: z.string().nullable().optional(), returned: z.array(z.string()).optional() }),
  modelMismatch: z.array(z.looseObject({ model: z.string(), expected: z.string(), returned: z.string(), answers: count })).optional(),
  requiredPassRate: z.number(),
  outputType: z.enum(['text', 'json']),
  cases: z.array(caseResult),
  totals,
});

export const reportSchema = z.looseObject({
  version: z.literal(REPORT_VERSION),
  startedAt: z.string(),
  durationMs: z.number(),
  mode: z.enum(['live', 'replay', 'record']),
  unlocked: z.boolean(),
  interrupted: z.boolean(),
  shard: z.strictObject({ index: z.int().min(1), count: z.int().min(1) }).optional(),
  commit: z.string().nullable().optional(),
  dirty: z.boolean().optional(),
  lockSha256: z.string().nullable().optional(),
  warnings: z.array(z.string()),
  suites: z.array(suite),
  totals,
});

/** The report, or the first few things wrong with it as `path: problem`. */
export function checkReport(value: unknown): { report: EvalReport } | { problems: string[] } {
  const r = reportSchema.safeParse(value);
  if (r.success) return { report: r.data as unknown as EvalReport };
  return { problems: r.error.issues.slice(0, 5).map((i) => `${formatIssuePath(i.path)}: ${i.message}`) };
}

function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${String(seg)}` : String(seg);
  return out || '(the top)';
}
