import type { DefineCommand } from './index.js';
import { UsageError } from '../../errors.js';

export const defineSchema: DefineCommand = (program, wrap) =>
  program
    .command('schema [kind]')
    .description('print the JSON Schema of a file kind (config, prompt, suite, automation, lock), for editors')
    .action(
      wrap(async (o, _g, kind?: string) => {
        const { jsonSchemaOf, SCHEMA_KINDS } = await import('../../app/json-schema.js');
        if (kind && !SCHEMA_KINDS.includes(kind as never)) throw new UsageError(`unknown file kind "${kind}"`, { hint: `one of: ${SCHEMA_KINDS.join(', ')}` });
        const out = kind ? jsonSchemaOf(kind as (typeof SCHEMA_KINDS)[number]) : Object.fromEntries(SCHEMA_KINDS.map((k) => [k, jsonSchemaOf(k)]));
        o.out(JSON.stringify(out, null, 2));
        return 0;
      }),
    );
