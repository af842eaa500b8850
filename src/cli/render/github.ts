// GitHub Actions workflow commands: one ::error annotation per deviation, at the case's line.
import type { EvalReport } from '../../core/eval/report.js';
import { deviationsOf } from './deviations.js';
import { interruptedNote } from './format.js';
import { mismatchesOf } from './served.js';
import { terminalSafe } from './terminal-safe.js';

function escData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escProp(s: string): string {
  return escData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function renderGithub(report: EvalReport): string {
  const lines = deviationsOf(report).map((d) => {
    const title = `${d.kind === 'error' ? 'provider error' : 'deviation'}: ${d.suite.suite}/${d.caseId}`;
    const message = [...d.reasons, ...(d.diff ? [d.diff] : [])].join('\n');
    return `::error file=${escProp(d.suite.file)}${d.line ? `,line=${d.line}` : ''},title=${escProp(title)}::${escData(message)}`;
  });
  for (const m of mismatchesOf(report)) lines.push(`::error file=${escProp(m.suite.file)},title=${escProp(`model mismatch: ${m.suite.suite}`)}::${escData(m.text)}`);
  for (const w of report.warnings) lines.push(`::warning title=aigov::${escData(terminalSafe(w))}`);
  const interrupted = interruptedNote(report);
  if (interrupted) lines.push(`::warning title=aigov::${escData(interrupted)}`);
  const t = report.totals;
  lines.push(`aigov eval: ${t.cases} cases, ${t.passed} passed, ${t.failed} failed, ${t.errors} errors`);
  return lines.join('\n');
}
