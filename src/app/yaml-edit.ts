// Writes values into workspace files while keeping their comments and layout
// (core/yaml-edit does the editing): `eval --accept` now; `promote`, `demote`
// and `calibrate --apply` set `tier:` and thresholds the same way. All files
// are written or none: every edit is made in memory first, then the files are
// replaced together.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AigovError } from '../errors.js';
import { editYaml, YamlEditError, type YamlPath } from '../core/yaml-edit.js';
import { formatPath } from '../core/workspace/source.js';
import { writeFilesAtomic } from '../fs/atomic.js';

export interface FileEdit {
  /** Relative to the workspace root, as shown to people. */
  file: string;
  path: YamlPath;
  value: unknown;
}

const BOM = '\uFEFF';

/** A file's new text, worked out and not yet written. */
export interface PlannedWrite {
  /** Relative to the workspace root. */
  file: string;
  /** Absolute. */
  path: string;
  /** The text on disk when it was read, BOM and all. */
  before: string;
  content: string;
}

/** Applies the edits and returns the files that changed. */
export function applyYamlEdits(root: string, edits: readonly FileEdit[]): string[] {
  const writes = planYamlEdits(root, edits);
  writeFilesAtomic(writes.map(({ path, content }) => ({ path, content })));
  return writes.map((w) => w.file);
}

/**
 * The edits made in memory: each changed file's new text, for a caller that
 * writes them itself (`promote` writes them only after the run log took its
 * event). Files the edits leave as they are are not listed.
 */
export function planYamlEdits(root: string, edits: readonly FileEdit[]): PlannedWrite[] {
  const byFile = new Map<string, FileEdit[]>();
  for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  const writes: PlannedWrite[] = [];
  for (const [file, mine] of byFile) {
    const full = join(root, file);
    // The file as it is now, not as the workspace read it: it may have been saved since.
    const raw = readFileSync(full, 'utf8');
    const bom = raw.startsWith(BOM) ? BOM : '';
    const text = raw.slice(bom.length);
    let next: string;
    try {
      next = editYaml(text, mine);
    } catch (err) {
      if (!(err instanceof YamlEditError)) throw err;
      throw new AigovError('E_CANNOT_EDIT', `${file}: cannot set ${formatPath(err.path)}: ${err.message}`, { location: { file, path: formatPath(err.path) }, hint: 'make the change by hand' });
    }
    if (next !== text) writes.push({ file, path: full, before: raw, content: bom + next });
  }
  return writes;
}
