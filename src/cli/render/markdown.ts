// Markdown summary for pull requests and GITHUB_STEP_SUMMARY. With `--baseline`
// the comparison comes first and the run's own summary follows, folded.
import { inline } from '../../core/docs/markdown.js';
import type { EvalReport } from '../../core/eval/report.js';
import { renderBaselineMarkdown } from './baseline-markdown.js';
import { deviationsOf } from './deviations.js';
import { interruptedNote, ms, pct, tokens, usd } from './format.js';
import { mismatchesOf } from './served.js';
import { terminalSafe } from './terminal-safe.js';

function cell(s: string | number): string {
  return String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A fenced block that no line of `text` can close: a fence longer than any run of backticks in it. */
function fenced(lang: string, text: string): string[] {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${lang}`, text, fence];
}

export function renderMarkdown(report: EvalReport): string {
  if (report.baseline) return renderBaselineMarkdown(report, runMarkdown(report).slice(1).join('\n').trim());
  return runMarkdown(report).join('\n');
}

function runMarkdown(report: EvalReport): string[] {
  const t = report.totals;
  const mismatches = mismatchesOf(report);
  const verdict = t.errors ? '❌ provider errors' : t.failed ? '❌ deviations' : mismatches.length ? '❌ model mismatch' : '✅ all suites pass';
  const lines = [`## aigov eval: ${verdict}`, ''];
  lines.push('| suite | cases | passed | failed | errors | pass rate | tokens | cost | duration |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of report.suites) {
    const x = s.totals;
    lines.push(`| ${cell(s.suite)} | ${x.cases} | ${x.passed} | ${x.failed} | ${x.errors} | ${pct(x.passRate)} | ${tokens(x.tokens)} | ${usd(x.costUsd)} | ${ms(x.durationMs)} |`);
  }
  lines.push(`| **total** | ${t.cases} | ${t.passed} | ${t.failed} | ${t.errors} | ${pct(t.passRate)} | ${tokens(t.tokens)} | ${usd(t.costUsd)} | ${ms(report.durationMs)} |`);
  for (const m of mismatches) lines.push('', `> **${cell(m.text)}**`);
  for (const w of report.warnings) lines.push('', `> **warning:** ${cell(terminalSafe(w))}`);
  const interrupted = interruptedNote(report);
  if (interrupted) lines.push('', `> **interrupted:** ${interrupted.replace(/^interrupted: /, '')}`);
  const deviations = deviationsOf(report);
  if (deviations.length) {
    lines.push('', '### Deviations');
    for (const d of deviations) {
      lines.push('', `**${d.kind === 'error' ? 'error' : 'fail'}: ${cell(d.suite.suite)}/${cell(d.caseId)}** (\`${d.suite.file}${d.line ? `:${d.line}` : ''}\`)`, '');
      // A reason quotes the model's output: text, never markup.
      for (const r of d.reasons) lines.push(`- ${inline(r)}`);
      if (d.diff) lines.push('', ...fenced('diff', d.diff));
    }
  }
  return lines;
}
