// Every failing or erroring case, one block each: which assertion failed, why, and a diff.
import type { EvalReport, SuiteResult } from '../../core/eval/report.js';
import { paint, type Output } from '../output.js';
import { renderDiff } from './diff.js';
import { isTruncated, TRUNCATED } from './served.js';
import { terminalSafe } from './terminal-safe.js';

export { renderFailingCases } from './failing-cases.js';

export interface Deviation {
  suite: SuiteResult;
  caseId: string;
  line?: number;
  sample: number;
  kind: 'fail' | 'error';
  /** One line per failed assertion, or the error message. */
  reasons: string[];
  diff?: string;
  /** The answer was cut off at the token limit. */
  truncated?: boolean;
}

export function deviationsOf(report: EvalReport, color = false): Deviation[] {
  const out: Deviation[] = [];
  for (const suite of report.suites) {
    for (const c of suite.cases) {
      if (c.status === 'pass') continue;
      for (const s of c.samples) {
        if (s.error) out.push({ suite, caseId: c.id, line: c.line, sample: s.sample, kind: 'error', reasons: [terminalSafe(`${s.error.kind}: ${s.error.message}`)] });
        else if (!s.pass) {
          const failed = s.assertions.filter((a) => !a.pass);
          const withDiff = failed.find((a) => a.expected !== undefined);
          const diff = withDiff ? renderDiff(withDiff.expected, s.output ?? '', { color, outputType: suite.outputType }) : undefined;
          // A cut-off answer explains many a failure: the diff (or, without one, the reasons) says so.
          const truncated = isTruncated(s);
          out.push({
            suite,
            caseId: c.id,
            line: c.line,
            sample: s.sample,
            kind: 'fail',
            reasons: [...failed.map((a) => terminalSafe(`${a.type}: ${a.reason}`)), ...(truncated && diff === undefined ? [TRUNCATED] : [])],
            diff: diff !== undefined && truncated ? `${diff}\n  (${TRUNCATED})` : diff,
            ...(truncated ? { truncated } : {}),
          });
        }
      }
    }
  }
  return out;
}

export function renderDeviations(report: EvalReport, o: Output): string {
  const lines: string[] = [];
  for (const d of deviationsOf(report, o.color)) {
    const where = terminalSafe(`${d.suite.file}${d.line ? `:${d.line}` : ''}`);
    const sample = d.suite.cases.find((c) => c.id === d.caseId)!.samples.length > 1 ? ` (sample ${d.sample + 1})` : '';
    lines.push(`${paint(o, 'red', d.kind === 'error' ? 'ERROR' : 'FAIL')} ${d.suite.suite}/${d.caseId}${sample}  ${paint(o, 'dim', where)}`);
    for (const r of d.reasons) lines.push(`  ${r}`);
    if (d.diff) lines.push(d.diff);
  }
  return lines.join('\n');
}
