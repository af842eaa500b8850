// JUnit XML: one testsuite per eval suite, one testcase per case. What markdown
// and github say as warnings (an unlocked model, an interrupted run) is carried
// as <properties>, which CI test reporters keep and show.
import type { EvalReport, SuiteResult } from '../../core/eval/report.js';
import { movedCases, pValue, regressionWords, testWords } from './baseline-words.js';
import { deviationsOf } from './deviations.js';
import { mismatchText } from './served.js';
import { terminalSafe } from './terminal-safe.js';

function esc(s: string): string {
  // XML 1.0 cannot carry most control characters at all; terminalSafe turns them
  // into visible stand-ins, which also keeps them off the terminal of whoever cats the file.
  return terminalSafe(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function properties(report: EvalReport, s: SuiteResult): string[] {
  const props: [string, string][] = [];
  if (!s.model.locked) props.push(['UNLOCKED', `${s.model.resolved} is not pinned in aigov.lock; this result is not evidence for a gate`]);
  if (report.interrupted) props.push(['interrupted', `${s.totals.interrupted ?? 0} cases did not finish and are not reported`]);
  for (const m of s.modelMismatch ?? []) props.push(['aigov.modelMismatch', `${m.model}: ${m.expected} -> ${m.returned}`]);
  if (!props.length) return [];
  return ['    <properties>', ...props.map(([name, value]) => `      <property name="${esc(name)}" value="${esc(value)}"/>`), '    </properties>'];
}

export function renderJunit(report: EvalReport): string {
  const deviations = deviationsOf(report);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const t = report.totals;
  // A model mismatch fails its suite's gate: one more failing test case, "(served model)", says so.
  const mismatched = report.suites.filter((s) => s.modelMismatch?.length).length;
  const compared = report.baseline?.suites ?? [];
  const regressions = compared.filter((s) => s.regression).length;
  lines.push(`<testsuites name="aigov eval" tests="${t.cases + mismatched + compared.length}" failures="${t.failed + mismatched + regressions}" errors="${t.errors}" time="${(report.durationMs / 1000).toFixed(3)}">`);
  // With --baseline, the comparison first: one test case a suite, failing on a regression.
  if (report.baseline) lines.push(...baselineSuite(report));
  for (const s of report.suites) {
    const mismatch = s.modelMismatch?.length ? 1 : 0;
    lines.push(`  <testsuite name="${esc(s.suite)}" tests="${s.totals.cases + mismatch}" failures="${s.totals.failed + mismatch}" errors="${s.totals.errors}" time="${(s.totals.durationMs / 1000).toFixed(3)}" file="${esc(s.file)}">`);
    lines.push(...properties(report, s));
    if (mismatch) {
      const texts = s.modelMismatch!.map((m) => mismatchText(s, m));
      lines.push(`    <testcase classname="${esc(s.suite)}" name="(served model)" file="${esc(s.file)}" time="0.000">`);
      lines.push(`      <failure message="${esc(texts[0])}">${esc(texts.join('\n'))}</failure>`);
      lines.push('    </testcase>');
    }
    for (const c of s.cases) {
      const time = c.samples.reduce((a, x) => a + x.latencyMs, 0) / 1000;
      const open = `    <testcase classname="${esc(s.suite)}" name="${esc(c.id)}" file="${esc(s.file)}"${c.line ? ` line="${c.line}"` : ''} time="${time.toFixed(3)}"`;
      if (c.status === 'pass') {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      const mine = deviations.filter((d) => d.suite === s && d.caseId === c.id);
      const tag = c.status === 'error' ? 'error' : 'failure';
      const message = mine.flatMap((d) => d.reasons)[0] ?? c.status;
      const body = mine.map((d) => [...d.reasons, d.diff ?? ''].join('\n')).join('\n');
      lines.push(`      <${tag} message="${esc(message)}">${esc(body)}</${tag}>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n');
}

function baselineSuite(report: EvalReport): string[] {
  const b = report.baseline!;
  const name = `baseline ${b.ref}`;
  const regressions = b.suites.filter((s) => s.regression).length;
  const lines = [`  <testsuite name="${esc(name)}" tests="${b.suites.length}" failures="${regressions}" errors="0" time="${(b.base.durationMs / 1000).toFixed(3)}">`];
  lines.push('    <properties>', `      <property name="aigov.baseline.ref" value="${esc(b.ref)}"/>`, `      <property name="aigov.baseline.commit" value="${esc(b.commit)}"/>`, '    </properties>');
  const moved = movedCases(report);
  for (const s of b.suites) {
    const file = report.suites.find((x) => x.suite === s.suite)?.file;
    lines.push(`    <testcase classname="${esc(name)}" name="${esc(s.suite)}"${file ? ` file="${esc(file)}"` : ''} time="0.000">`);
    lines.push('      <properties>', `        <property name="aigov.pValue" value="${pValue(s.pValue)}"/>`, `        <property name="aigov.test" value="${s.test}"/>`, '      </properties>');
    const facts = `${testWords(s)}; one-sided p = ${pValue(s.pValue)}`;
    const why = regressionWords(s, b);
    if (why) lines.push(`      <failure message="${esc(`regression against ${b.ref}: ${why}`)}">${esc(facts)}</failure>`);
    const mine = moved.filter((m) => m.suite === s.suite);
    if (mine.length) lines.push(`      <system-out>${esc([facts, ...mine.map((m) => `${m.kind}: ${m.id}`)].join('\n'))}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>');
  return lines;
}
