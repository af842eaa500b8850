// One line per case that failed the gate, for a quiet run: what `aigov eval --quiet`
// prints. Apart from the deviations renderer, so printing it loads no diff.
import type { EvalReport } from '../../core/eval/report.js';
import { paint, type Output } from '../output.js';
import { pValue } from './baseline-words.js';
import { terminalSafe } from './terminal-safe.js';

export function renderFailingCases(report: EvalReport, o: Output): string {
  const lines: string[] = [];
  // A drop against --baseline can fail the gate with every case passing: it is named too.
  for (const s of report.baseline?.suites ?? []) {
    if (s.regression) lines.push(`${paint(o, 'red', 'REGRESSION')} ${s.suite} against ${terminalSafe(report.baseline!.ref)}: ${s.worse.length} worse, ${s.better.length} better, p = ${pValue(s.pValue)}`);
  }
  for (const s of report.suites) {
    for (const c of s.cases) {
      if (c.status === 'pass') continue;
      const where = `${s.file}${c.line ? `:${c.line}` : ''}`;
      lines.push(`${paint(o, 'red', c.status === 'error' ? 'ERROR' : 'FAIL')} ${s.suite}/${c.id}  ${paint(o, 'dim', terminalSafe(where))}`);
    }
  }
  return lines.join('\n');
}
