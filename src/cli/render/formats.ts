// The report formats by name and by file extension: all a command needs to check
// its flags before a run, without loading a renderer.
import { UsageError } from '../../errors.js';

export const FORMATS = ['table', 'json', 'junit', 'markdown', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export function checkFormat(f: string): Format {
  if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`unknown format "${f}"`, { hint: `one of: ${FORMATS.join(', ')}` });
  return f as Format;
}

export function formatForFile(path: string): Format {
  if (/\.json$/i.test(path)) return 'json';
  if (/\.xml$/i.test(path)) return 'junit';
  if (/\.(md|markdown)$/i.test(path)) return 'markdown';
  if (/\.txt$/i.test(path)) return 'table';
  throw new UsageError(`cannot tell a report format from "${path}"`, { hint: 'use .json, .xml (junit), .md or .txt' });
}
