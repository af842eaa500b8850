// JSON Schema for editors, generated from the same zod schemas that validate: one source of truth.
import * as z from 'zod';
import { FILE_KINDS, fileSchema, type FileKind } from '../core/workspace/schemas.js';

export const SCHEMA_KINDS: FileKind[] = [...FILE_KINDS];

const TITLES: Record<FileKind, string> = {
  config: 'aigov.yaml: workspace config',
  prompt: 'prompts/<id>.yaml: one versioned prompt',
  suite: 'evals/<suite>.yaml: one eval suite',
  automation: 'automations/<id>.yaml: one automation',
  lock: 'aigov.lock: locked model versions and prompt hashes',
};

export function jsonSchemaOf(kind: FileKind): Record<string, unknown> {
  // `input` so that fields with defaults are optional, as they are to people writing the file.
  const schema = z.toJSONSchema(fileSchema(kind), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: TITLES[kind] };
}
