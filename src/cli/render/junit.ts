// JUnit XML: one testsuite per eval suite, one testcase per case. What markdown
// and github say as warnings (an unlocked model, an interrupted run) is carried
// as <properties>, which CI test reporters keep and show.
import type { EvalReport, SuiteResult } from '../../core/eval/report.js';
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
  lines.push(`<testsuites name="aigov eval" tests="${t.cases + mismatched}" failures="${t.failed + mismatched}" errors="${t.errors}" time="${(report.durationMs / 1000).toFixed(3)}">`);
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
