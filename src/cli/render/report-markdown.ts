// The monthly review as Markdown, for a pull request or an e-mail. Every value
// from the log or the files is escaped: a name cannot open a link, a heading
// or a table cell. Pure: the report in, text out.
import { code, inline, table } from '../../core/docs/markdown.js';
import type { Figures } from '../../core/report/figures.js';
import { FLAG_WORDS } from './report-words.js';
import { count, pct } from '../../core/report/format.js';
import type { AutomationReport, MonthlyReport } from '../../core/report/monthly.js';

export function renderReportMarkdown(r: MonthlyReport): string {
  const flagged = r.automations.filter((a) => a.flags.length);
  const out: string[] = [
    `# Monthly review ${r.month}`,
    '',
    `Each automation in ${r.month} against ${r.previousMonth}; ${r.automations.length} automation${r.automations.length === 1 ? '' : 's'}, ${flagged.length} with flags. Run at ${when(r.asOf)}.`,
    '',
  ];
  if (r.automations.length) {
    out.push(
      table(
        ['automation', 'tier', 'runs', 'error rate', 'override rate', 'low-confidence rate', 'median confidence', 'flags'],
        r.automations.map((a) => [
          inline(a.name === a.id ? a.id : `${a.name} (${a.id})`),
          String(a.tier),
          `${count(a.previous.runs)} → ${count(a.current.runs)}`,
          change(a.previous.errorRate, a.current.errorRate),
          change(a.previous.overrideRate, a.current.overrideRate),
          change(a.previous.lowConfidenceRate, a.current.lowConfidenceRate),
          `${conf(a.previous.medianConfidence)} → ${conf(a.current.medianConfidence)}`,
          a.flags.length ? a.flags.map((f) => code(f.code, { inTable: true })).join(' ') : 'none',
        ]),
      ),
      '',
    );
  }
  for (const a of r.automations) out.push(...section(a, r));
  out.push(
    '## How the flags are decided',
    '',
    ...Object.entries(FLAG_WORDS).map(([c, w]) => `- ${code(c)}: ${w.rule}`),
    '',
    `Sign the review off with ${code(`aigov report --month ${r.month} --sign-off --as WHO`)}.`,
  );
  return `${out.join('\n')}\n`;
}

function section(a: AutomationReport, r: MonthlyReport): string[] {
  const title = a.name === a.id ? inline(a.id) : `${inline(a.name)} (${code(a.id)})`;
  const lines = [`## ${title}`, '', `Owner ${a.owner ? inline(a.owner) : 'unknown'}, tier ${a.tier}${a.inWorkspace ? '' : '; its file is no longer in the workspace'}.`, ''];
  const rows: [string, (f: Figures) => string][] = [
    ['runs started', (f) => count(f.runs)],
    ['error rate (failed / started)', (f) => rate(f.errorRate, f.failed, f.runs)],
    ['override rate (corrected / finished)', (f) => rate(f.overrideRate, f.corrected, f.finished)],
    ['low-confidence rate (sent to review / finished)', (f) => rate(f.lowConfidenceRate, f.lowConfidenceReviews, f.finished)],
    ['median confidence', (f) => conf(f.medianConfidence)],
    ['answered by another model', (f) => count(f.modelMismatches)],
    ['review backlog at the month’s end', (f) => (f.reviewBacklog.count ? `${count(f.reviewBacklog.count)}, the oldest since ${when(f.reviewBacklog.oldestAt!)}` : 'none')],
    ['cost', (f) => `$${f.costUsd.toFixed(2)}`],
    ['last eval', (f) => (f.lastEval ? `${inline(f.lastEval.suite)} ${f.lastEval.passed ? 'passed' : 'failed'}${f.lastEval.passRate === null ? '' : ` (${pct(f.lastEval.passRate)})`} at ${when(f.lastEval.at)}` : 'none')],
    ['calibration (ECE, threshold for 95% precision)', (f) => (f.calibration ? `ECE ${f.calibration.ece?.toFixed(3) ?? '–'}, threshold ${f.calibration.threshold ?? 'none met'} (${count(f.calibration.graded)} graded)` : 'too few graded runs')],
  ];
  lines.push(table(['', r.previousMonth, r.month], rows.map(([label, get]) => [label, get(a.previous), get(a.current)])), '');
  if (!a.flags.length) lines.push('No flags.', '');
  else {
    for (const f of a.flags) {
      lines.push(`- ${code(f.code)} ${FLAG_WORDS[f.code].words}: ${inline(f.detail)}`);
      if (f.suggestion) lines.push(`  Suggested: ${code(f.suggestion)}`);
    }
    lines.push('');
  }
  return lines;
}

const change = (a: number | null, b: number | null) => `${pct(a)} → ${pct(b)}`;
const conf = (x: number | null) => (x === null ? '–' : x.toFixed(2));
const rate = (x: number | null, n: number, of: number) => (x === null ? '–' : `${pct(x)} (${count(n)} of ${count(of)})`);
const when = (at: string) => `${at.slice(0, 10)} ${at.slice(11, 16)} UTC`;
