// Writes schemas/<kind>.json from the zod schemas (run by `npm run build`), so editors
// can validate workspace files through `# yaml-language-server: $schema=` headers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { jsonSchemaOf, SCHEMA_KINDS } from '../dist/app/json-schema.js';

const dir = new URL('../schemas/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const kind of SCHEMA_KINDS) writeFileSync(new URL(`${kind}.json`, dir), `${JSON.stringify(jsonSchemaOf(kind), null, 2)}\n`);
