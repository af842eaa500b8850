// The payload schemas (payloads.ts) compiled into plain predicates: `log verify`
// and every read check a million payloads, and zod's parse (which copies every
// object it checks) was a fifth of verify's time. A predicate answers only
// "surely fits": true means zod accepts the value as it is, false means ask zod,
// which decides and says why. So the schemas stay the one definition, and what
// a predicate cannot judge (a class instance, a check it was not taught) falls
// to zod instead of being judged wrongly. The tests hold the two equal on
// valid payloads and on every field of them broken.
//
// Each object schema becomes one function whose source reads its fields by
// name (`o["confidence"]`), so the engine can compile it like hand-written
// code; the source is made only from aigov's own schemas (keys are quoted with
// JSON.stringify, constants are passed in, never spelled out), never from data.
import type * as z from 'zod';

export type Fits = (value: unknown) => boolean;

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  values?: unknown[];
  entries?: Record<string, unknown>;
  checks?: { _zod: { def: CheckDef } }[];
}

interface CheckDef {
  check: string;
  format?: string;
  value?: number;
  inclusive?: boolean;
  minimum?: number;
  pattern?: RegExp;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** A predicate for `schema`; a kind or check it does not know compiles to "ask zod". */
export function compileFits(schema: z.ZodType): Fits {
  const c = new Compiler();
  const expr = c.expr(schema, 'v');
  if (expr === null) return () => false;
  return c.link(`return ${expr};`);
}

/** Spells a schema as a boolean expression over a variable; helpers (objects, arrays) as functions of their own. */
class Compiler {
  /** Constants and helper functions the source refers to as k[i]. */
  readonly #k: unknown[] = [];

  link(body: string): Fits {
    return new Function('k', `return function fits(v) { ${body} };`)(this.#k) as Fits;
  }

  #constant(value: unknown): string {
    this.#k.push(value);
    return `k[${this.#k.length - 1}]`;
  }

  /** A literal value as source, when it is one JSON spells exactly; else a constant. */
  #literal(value: unknown): string {
    if (typeof value === 'string' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
    if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) return String(value);
    return this.#constant(value);
  }

  /** The expression that is true when `v` (a variable name) surely fits; null: ask zod. */
  expr(schema: z.ZodType, v: string): string | null {
    const def = defOf(schema);
    switch (def.type) {
      case 'unknown':
      case 'any':
        return 'true';
      case 'string':
        return this.#checked(def, `typeof ${v} === "string"`, v);
      case 'number':
        // zod refuses NaN and the infinities.
        return this.#checked(def, `typeof ${v} === "number" && Number.isFinite(${v})`, v);
      case 'boolean':
        return `typeof ${v} === "boolean"`;
      case 'literal':
        return `(${(def.values ?? []).map((x) => `${v} === ${this.#literal(x)}`).join(' || ') || 'false'})`;
      case 'enum':
        return `(${Object.values(def.entries ?? {}).map((x) => `${v} === ${this.#literal(x)}`).join(' || ') || 'false'})`;
      case 'optional':
      case 'nullable': {
        const inner = this.expr(def.innerType!, v);
        return inner === null ? null : `(${v} === ${def.type === 'optional' ? 'undefined' : 'null'} || ${inner})`;
      }
      case 'union': {
        const options = (def.options ?? []).map((o) => this.expr(o, v));
        // One option zod would have to judge: the whole union is its to judge.
        return options.some((o) => o === null) ? null : `(${options.join(' || ') || 'false'})`;
      }
      case 'array': {
        const element = this.#helper(def.element!);
        return element === null ? null : `(Array.isArray(${v}) && ${v}.every(${element}))`;
      }
      case 'object': {
        const fn = this.#object(def);
        return fn === null ? null : `${fn}(${v})`;
      }
      default:
        return null;
    }
  }

  /** A schema as a function of its own, named by the constant that holds it. */
  #helper(schema: z.ZodType): string | null {
    const inner = new Compiler();
    const expr = inner.expr(schema, 'v');
    return expr === null ? null : this.#constant(inner.link(`return ${expr};`));
  }

  #object(def: Def): string | null {
    const catchall = def.catchall ? defOf(def.catchall).type : 'strip';
    // Strict objects (a never catchall) and other catchalls are zod's to judge.
    if (catchall !== 'unknown' && catchall !== 'strip') return null;
    const inner = new Compiler();
    const lines = [
      'if (typeof v !== "object" || v === null || Array.isArray(v)) return false;',
      'const p = Object.getPrototypeOf(v);',
      'if (p !== Object.prototype && p !== null) return false;',
    ];
    let n = 0;
    for (const [key, schema] of Object.entries(def.shape ?? {})) {
      const name = `f${n++}`;
      const expr = inner.expr(schema, name);
      if (expr === null) return null;
      const k = JSON.stringify(key);
      lines.push(`const ${name} = v[${k}];`);
      // A key that is not there is refused unless optional, even where any value would do.
      if (defOf(schema).type !== 'optional' && mayBeUndefined(schema)) lines.push(`if (!(${k} in v)) return false;`);
      lines.push(`if (!(${expr})) return false;`);
    }
    lines.push('return true;');
    return this.#constant(inner.link(lines.join('\n')));
  }

  /** `base`, then the checks of `def`; a check it was not taught makes the whole "ask zod". */
  #checked(def: Def, base: string, v: string): string | null {
    const parts = [base];
    for (const c of def.checks ?? []) {
      const check = c._zod.def;
      if (check.check === 'number_format' && (check.format === 'safeint' || check.format === 'int')) parts.push(`Number.isSafeInteger(${v})`);
      else if ((check.check === 'greater_than' || check.check === 'less_than') && Number.isFinite(check.value)) {
        const op = (check.check === 'greater_than' ? '>' : '<') + (check.inclusive ? '=' : '');
        parts.push(`${v} ${op} ${this.#literal(check.value)}`);
      } else if (check.check === 'min_length' && Number.isInteger(check.minimum)) parts.push(`${v}.length >= ${check.minimum}`);
      else if (check.check === 'string_format' && check.format === 'regex' && check.pattern && !check.pattern.global && !check.pattern.sticky) {
        parts.push(`${this.#constant(check.pattern)}.test(${v})`);
      } else return null;
    }
    return `(${parts.join(' && ')})`;
  }
}

/** Whether a schema's predicate could say yes to undefined (then a required key's absence is checked apart). */
function mayBeUndefined(schema: z.ZodType): boolean {
  const def = defOf(schema);
  if (def.type === 'nullable') return mayBeUndefined(def.innerType!);
  if (def.type === 'union') return (def.options ?? []).some(mayBeUndefined);
  return !['string', 'number', 'boolean', 'literal', 'enum', 'array', 'object'].includes(def.type) || (def.type === 'literal' && (def.values ?? []).includes(undefined));
}
