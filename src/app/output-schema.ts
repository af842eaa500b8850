// A prompt's output schema, compiled at validate time exactly as the `schema`
// assertion compiles it at run time (same draft by `$schema`, same options), so
// a broken schema is a workspace error with its line, not a failed case.
//
// Workspace loading is synchronous, so ajv is required, not imported; it is
// loaded only for a workspace with a schema whose check is not cached yet
// (loading and compiling costs about 50 ms, start-up is a feature).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { canonicalJson, sha256 } from '../core/canonical.js';
import type { JsonSchemaCheck, JsonSchemaIssue } from '../core/workspace/rules-output-schema.js';
import { writeFileAtomic } from '../fs/atomic.js';

interface SchemaError {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

interface Validator {
  validateSchema(schema: object): boolean | Promise<unknown>;
  errors?: SchemaError[] | null;
  compile(schema: object): unknown;
}

type ValidatorClass = new (opts: object) => Validator;

const MAX_ISSUES = 5;
const DRAFTS = 'aigov checks JSON Schema draft-07 (the default), 2019-09 and 2020-12, chosen by $schema';

const load = createRequire(import.meta.url);

function validatorClass(schema: Record<string, unknown>): ValidatorClass {
  const draft = typeof schema.$schema === 'string' ? schema.$schema : '';
  // As in the `schema` assertion: ajv is CommonJS, and `default` is its class in every build.
  const mod = draft.includes('2020-12') ? load('ajv/dist/2020') : draft.includes('2019-09') ? load('ajv/dist/2019') : load('ajv');
  return (mod as { default: ValidatorClass }).default;
}

/** What is wrong with a JSON Schema, each at its path inside it; empty when it compiles. */
export const checkJsonSchema: JsonSchemaCheck = (schema) => {
  const Validator = validatorClass(schema);
  // Not strict, no logger: the options of the `schema` assertion.
  const ajv = new Validator({ allErrors: true, strict: false, logger: false });
  try {
    if (ajv.validateSchema(schema) === false) return issuesOf(ajv.errors ?? []);
  } catch (err) {
    // An unknown `$schema` (draft-04, a typo) has no meta-schema to check against.
    return [{ path: typeof schema.$schema === 'string' ? ['$schema'] : [], message: (err as Error).message, hint: DRAFTS }];
  }
  try {
    ajv.compile(schema);
    return [];
  } catch (err) {
    // What the meta-schema cannot see: a $ref to nowhere, a pattern that is not a regular expression.
    return [{ path: [], message: (err as Error).message }];
  }
};

/** The first error at each place the meta-schema rejects (ajv reports one cause several ways). */
function issuesOf(errors: readonly SchemaError[]): JsonSchemaIssue[] {
  const seen = new Set<string>();
  const out: JsonSchemaIssue[] = [];
  for (const e of errors) {
    if (seen.has(e.instancePath)) continue;
    seen.add(e.instancePath);
    const allowed = Array.isArray(e.params?.allowedValues) ? `: ${(e.params.allowedValues as unknown[]).join(', ')}` : '';
    out.push({ path: pointerPath(e.instancePath), message: `${e.message ?? 'is invalid'}${allowed}` });
    if (out.length === MAX_ISSUES) break;
  }
  return out;
}

function pointerPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

// Bump when the check changes what it accepts.
const CHECK_VERSION = 'output-schema-1';

/**
 * The check, remembering under .aigov/cache/schemas every schema that compiled,
 * so an unchanged workspace neither loads ajv nor compiles again.
 */
export function cachingJsonSchemaCheck(root: string): JsonSchemaCheck {
  const dir = join(root, '.aigov', 'cache', 'schemas');
  return (schema) => {
    const path = join(dir, sha256(`${CHECK_VERSION}\0${validatorVersion()}\0${canonicalJson(schema)}`));
    if (existsSync(path)) return [];
    const issues = checkJsonSchema(schema);
    if (!issues.length) {
      try {
        writeFileAtomic(path, 'compiles\n', { durable: false });
      } catch {
        // A read-only or full disk only costs the next run a compile.
      }
    }
    return issues;
  };
}

let version: string | undefined;
function validatorVersion(): string {
  // A new ajv may judge a schema differently; its package.json is cheap to read.
  return (version ??= String((load('ajv/package.json') as { version?: string }).version));
}
