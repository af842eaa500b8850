// GitHub Actions workflow commands: one ::error annotation per deviation, at the case's line.
// With `--baseline`, the comparison comes first: each case that got worse, better
// or changed its output at its line, and each suite's test with its p-value.
import type { EvalReport } from '../../core/eval/report.js';
import { answerOf, movedCases, passed, pValue, regressionWords, testWords } from './baseline-words.js';
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
  const lines = report.baseline ? baselineLines(report) : [];
  lines.push(
    ...deviationsOf(report).map((d) => {
      const title = `${d.kind === 'error' ? 'provider error' : 'deviation'}: ${d.suite.suite}/${d.caseId}`;
      const message = [...d.reasons, ...(d.diff ? [d.diff] : [])].join('\n');
      return `::error file=${escProp(d.suite.file)}${d.line ? `,line=${d.line}` : ''},title=${escProp(title)}::${escData(message)}`;
    }),
  );
  for (const m of mismatchesOf(report)) lines.push(`::error file=${escProp(m.suite.file)},title=${escProp(`model mismatch: ${m.suite.suite}`)}::${escData(m.text)}`);
  for (const w of report.warnings) lines.push(`::warning title=aigov::${escData(terminalSafe(w))}`);
  const interrupted = interruptedNote(report);
  if (interrupted) lines.push(`::warning title=aigov::${escData(interrupted)}`);
  const t = report.totals;
  lines.push(`aigov eval: ${t.cases} cases, ${t.passed} passed, ${t.failed} failed, ${t.errors} errors`);
  return lines.join('\n');
}

const COMMAND = { worse: 'error', better: 'notice', changed: 'notice' } as const;
const WORDS = { worse: 'worse', better: 'better', changed: 'output changed' } as const;

function baselineLines(report: EvalReport): string[] {
  const b = report.baseline!;
  const ref = terminalSafe(b.ref);
  const lines: string[] = [];
  for (const m of movedCases(report)) {
    const was = answerOf(m.base);
    const now = answerOf(m.head);
    const where = m.file ? `file=${escProp(m.file)}${m.line ? `,line=${m.line}` : ''},` : '';
    const title = `${WORDS[m.kind]} against ${ref}: ${m.suite}/${m.id}`;
    const message = `at ${ref}: ${m.base?.status ?? '-'} ${JSON.stringify(was.text)}\nnow: ${m.head?.status ?? '-'} ${JSON.stringify(now.text)}`;
    lines.push(`::${COMMAND[m.kind]} ${where}title=${escProp(terminalSafe(title))}::${escData(terminalSafe(message))}`);
  }
  for (const s of b.suites) {
    const file = report.suites.find((x) => x.suite === s.suite)?.file;
    const where = file ? `file=${escProp(file)},` : '';
    const facts = `${passed(s.base)} passed at ${ref}, ${passed(s.head)} now; ${testWords(s)}; one-sided p = ${pValue(s.pValue)}`;
    const why = regressionWords(s, b);
    if (why) lines.push(`::error ${where}title=${escProp(`regression against ${ref}: ${s.suite}`)}::${escData(`${why}. ${facts}`)}`);
    else lines.push(`::notice ${where}title=${escProp(`compared with ${ref}: ${s.suite}`)}::${escData(facts)}`);
  }
  return lines;
}
