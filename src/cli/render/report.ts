// Picks a renderer by format name or by a report file's extension.
import { asInternal, UsageError } from '../../errors.js';
import type { EvalReport } from '../../core/eval/report.js';
import type { Output } from '../output.js';
import { renderBaselineTerminal } from './baseline-terminal.js';
import { renderDeviations } from './deviations.js';
import { renderGithub } from './github.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderSummary } from './summary.js';

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

/** A renderer that throws has a bug: an internal error naming it (exit 70), whatever the report held. */
export function renderReport(report: EvalReport, format: Format, o: Output): string {
  try {
    return render(report, format, o);
  } catch (err) {
    throw asInternal(err, `the ${format} report renderer threw`);
  }
}

function render(report: EvalReport, format: Format, o: Output): string {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2);
    case 'junit':
      return renderJunit(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'github':
      return renderGithub(report);
    case 'table': {
      // With --baseline, what changed against the base comes first.
      const parts = [report.baseline ? renderBaselineTerminal(report, o) : '', renderDeviations(report, o), renderSummary(report, o)];
      return parts.filter(Boolean).join('\n\n');
    }
  }
}
