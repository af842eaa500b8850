// `--baseline` as Markdown: what a pull request comment shows. The comparison
// comes first and stays short (one row a suite, one row a case that moved); the
// head run's own report follows, folded. Model output is untrusted: it appears
// only inside code spans (no markup, no mention, no link), cut to one line.
import { code, inline, table } from '../../core/docs/markdown.js';
import type { CaseResult, EvalReport } from '../../core/eval/report.js';
import { answerOf, baselineVerdict, movedCases, MOVED_TITLES, passed, pValue, regressionWords, type Moved } from './baseline-words.js';
import { terminalSafe } from './terminal-safe.js';

export function renderBaselineMarkdown(report: EvalReport, headReport: string): string {
  const b = report.baseline!;
  const ref = code(b.ref);
  const verdict = baselineVerdict(report);
  const lines = [`## aigov eval --baseline ${ref}: ${verdict.ok ? '✅' : '❌'} ${inline(verdict.text)}`, ''];
  if (b.suites.length) {
    lines.push(`Against ${ref} (${code(b.commit.slice(0, 12))}): the suites this change touched, run both ways on the same cases.`, '');
    lines.push(
      table(
        ['suite', `at ${ref}`, 'now', 'worse', 'better', 'output changed', 'p-value', 'gate'],
        b.suites.map((s) => {
          const head = report.suites.find((x) => x.suite === s.suite);
          const ownGate = head && (head.totals.failed || head.totals.errors || head.modelMismatch?.length);
          const gate = s.regression ? `❌ ${inline(regressionWords(s, b)!)}` : ownGate ? '❌ fails its own gate' : '✅';
          return [inline(s.suite), passed(s.base), passed(s.head), String(s.worse.length), String(s.better.length), String(s.changed.length), `${pValue(s.pValue)} (${s.test === 'mcnemar' ? 'McNemar' : 'Fisher'})`, gate];
        }),
      ),
      '',
    );
  }
  const moved = movedCases(report);
  for (const kind of ['worse', 'better', 'changed'] as Moved[]) {
    const mine = moved.filter((m) => m.kind === kind);
    if (!mine.length) continue;
    lines.push(`### ${MOVED_TITLES[kind](ref)} (${mine.length})`, '');
    lines.push(table(['case', `at ${ref}`, 'now'], mine.map((m) => [inline(`${m.suite}/${m.id}`), answerCell(m.base), answerCell(m.head)])), '');
  }
  if (b.added.length) lines.push(`New suites, nothing to compare at ${ref} (gated as a plain eval): ${b.added.map((s) => inline(s)).join(', ')}.`, '');
  if (b.removed.length) lines.push(`Suites ${ref} has and this change removes: ${b.removed.map((s) => inline(s)).join(', ')}.`, '');
  for (const w of b.base.warnings) lines.push(`> **at ${ref}:** ${inline(terminalSafe(w))}`, '');
  if (b.suites.length) {
    lines.push(
      `<sub>p-value: one-sided exact test for a drop at head (McNemar's on paired cases; Fisher's on samples when cases repeat). The gate fails when p < ${b.significance}, or when a case that passed at ${ref} fails every sample now.</sub>`,
      '',
    );
  }
  const t = report.totals;
  lines.push('<details>', `<summary>The head run: ${t.cases} cases, ${t.passed} passed, ${t.failed} failed, ${t.errors} errors</summary>`, '', headReport, '', '</details>');
  return lines.join('\n');
}

/** ✅ or ❌ and the answer, as code: whatever the model wrote shows as text. */
function answerCell(c: CaseResult | undefined): string {
  if (!c) return '-';
  const icon = c.status === 'pass' ? '✅' : c.status === 'error' ? '⚠️' : '❌';
  const a = answerOf(c);
  const text = a.text === '' ? '*(empty)*' : code(terminalSafe(a.text), { inTable: true });
  return `${icon} ${text}${a.samples ? ` (${a.samples})` : ''}`;
}
