// `--baseline` on a terminal: the cases that moved, one line each, then one line
// a suite with the test and its p-value, then what fails the gate. It comes
// before the run's own deviations and summary table.
import type { CaseResult, EvalReport } from '../../core/eval/report.js';
import { paint, type Output } from '../output.js';
import { answerOf, movedCases, passed, pValue, regressionWords, testWords } from './baseline-words.js';
import { terminalSafe } from './terminal-safe.js';

const LABEL = { worse: ['WORSE  ', 'red'], better: ['BETTER ', 'green'], changed: ['CHANGED', 'yellow'] } as const;

export function renderBaselineTerminal(report: EvalReport, o: Output): string {
  const b = report.baseline!;
  const ref = terminalSafe(b.ref);
  const lines = [`against ${ref} (${b.commit.slice(0, 12)}): ${b.suites.map((s) => s.suite).join(', ') || 'no suite to compare'}`];
  const moved = movedCases(report);
  const width = Math.max(0, ...moved.map((m) => m.suite.length + m.id.length + 1));
  for (const m of moved) {
    const [label, colour] = LABEL[m.kind];
    lines.push(`${paint(o, colour, label)} ${terminalSafe(`${m.suite}/${m.id}`).padEnd(width)}  ${answer(m.base)} → ${answer(m.head)}`);
  }
  for (const s of b.suites) {
    lines.push(`${s.suite}: ${passed(s.base)} passed at ${ref}, ${passed(s.head)} now; ${testWords(s)}; one-sided p = ${pValue(s.pValue)}`);
  }
  for (const s of b.suites) {
    const why = regressionWords(s, b);
    if (why) lines.push(paint(o, 'red', `REGRESSION ${s.suite}: ${terminalSafe(why)}`));
  }
  if (b.added.length) lines.push(`new at the working tree, nothing to compare: ${b.added.join(', ')}`);
  if (b.removed.length) lines.push(`at ${ref} only, removed by the change: ${b.removed.join(', ')}`);
  for (const w of b.base.warnings) lines.push(paint(o, 'yellow', `warning at ${ref}: ${terminalSafe(w)}`));
  return lines.join('\n');
}

function answer(c: CaseResult | undefined): string {
  if (!c) return '-';
  const a = answerOf(c);
  // Quoted, so an empty or space-only answer is still seen; JSON's escapes show what a control character was.
  const text = a.error ? `(${a.text})` : JSON.stringify(a.text);
  return `${terminalSafe(text)}${a.samples ? ` (${a.samples})` : ''}`;
}
