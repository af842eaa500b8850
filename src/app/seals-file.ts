// The aigov.seals file on disk: read, and appended to atomically.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SEALS_FILE, formatSeal, parseSeals, type Seal } from '../core/log/seal.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';

export { SEALS_FILE, type Seal };

const SEALS_HEADER =
  '# Run log heads committed by `aigov log seal`, one JSON object a line: {"seq","hash","root","at"}, and "key" and "sig" where a signing key is configured. `aigov log verify` fails if the log no longer matches them. Append only; commit this file.\n';

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Every seal in a seals file, in file order; null when the file does not exist. */
export function readSealsFile(path: string, name = basename(path)): Seal[] | null {
  const text = readText(path);
  return text === null ? null : parseSeals(text, name);
}

/** Every seal in `<root>/aigov.seals`, in file order; none when the file is absent. */
export function readSeals(root: string): Seal[] {
  return readSealsFile(join(root, SEALS_FILE), SEALS_FILE) ?? [];
}

/** Appends one seal line to `<root>/aigov.seals` (created with its header), replacing the file atomically. */
export function appendSeal(root: string, seal: Seal): void {
  const path = join(root, SEALS_FILE);
  let text = readText(path) ?? SEALS_HEADER;
  if (!text.endsWith('\n')) text += '\n';
  writeFileAtomic(path, `${text}${formatSeal(seal)}\n`);
}
