// The summary table every eval run ends with.
import Table from 'cli-table3';
import type { EvalReport } from '../../core/eval/report.js';
import { paint, type Output } from '../output.js';
import { interruptedNote, ms, pct, tokens, usd } from './format.js';
import { mismatchesOf } from './served.js';
import { terminalSafe } from './terminal-safe.js';

export function renderSummary(report: EvalReport, o: Output): string {
  const table = new Table({
    head: ['suite', 'cases', 'passed', 'failed', 'errors', 'pass rate', 'tokens', 'cost', 'duration'],
    style: { head: o.color ? ['bold'] : [], border: o.color ? ['grey'] : [] },
  });
  for (const s of report.suites) {
    const t = s.totals;
    table.push([s.suite, t.cases, t.passed, t.failed, t.errors, pct(t.passRate), tokens(t.tokens), usd(t.costUsd), ms(t.durationMs)]);
  }
  const t = report.totals;
  table.push(['total', t.cases, t.passed, t.failed, t.errors, pct(t.passRate), tokens(t.tokens), usd(t.costUsd), ms(report.durationMs)]);
  // A warning can quote what a provider reported (a served model id): untrusted text.
  const notes = [...mismatchesOf(report).map((m) => paint(o, 'red', m.text)), ...report.warnings.map((w) => paint(o, 'yellow', `warning: ${terminalSafe(w)}`))];
  const interrupted = interruptedNote(report);
  if (interrupted) notes.push(paint(o, 'yellow', interrupted));
  return [table.toString(), ...notes].join('\n');
}
