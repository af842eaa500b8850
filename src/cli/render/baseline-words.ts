// How every renderer says what `--baseline` found: the verdict, the test and its
// p-value, and the cases that moved, with their outputs at base and at head.
import type { BaselineComparison, CaseResult, EvalReport, SuiteComparison } from '../../core/eval/report.js';
import { pct } from './format.js';

export type Moved = 'worse' | 'better' | 'changed';

export const MOVED_TITLES: Record<Moved, (ref: string) => string> = {
  worse: (ref) => `Worse: passed at ${ref}, fail now`,
  better: (ref) => `Better: failed at ${ref}, pass now`,
  changed: () => 'Output changed, both pass',
};

/** A p-value as people read it: four significant digits, never rounded down to 0. */
export function pValue(p: number): string {
  return String(Number(p.toPrecision(4)));
}

/** The test that gave the p-value, and what it counted. */
export function testWords(s: SuiteComparison): string {
  if ('worse' in s.counts) return `McNemar's exact test on ${s.cases.length - s.errors.length} paired cases: ${s.counts.worse} worse, ${s.counts.better} better`;
  const { base, head } = s.counts;
  return `Fisher's exact test on samples: ${base.pass}/${base.pass + base.fail} passed at base, ${head.pass}/${head.pass + head.fail} at head`;
}

/** Why a suite fails the comparison, or undefined when it holds. */
export function regressionWords(s: SuiteComparison, b: Pick<BaselineComparison, 'ref' | 'significance'>): string | undefined {
  if (!s.regression) return undefined;
  const parts: string[] = [];
  if (s.broken.length) parts.push(`${s.broken.length === 1 ? 'a case' : `${s.broken.length} cases`} that passed at ${b.ref} fail${s.broken.length === 1 ? 's' : ''} every sample now (${s.broken.join(', ')})`);
  if (s.pValue < b.significance) parts.push(`the drop is significant (p = ${pValue(s.pValue)} < ${b.significance})`);
  return parts.join('; ');
}

/** The one-line verdict of the whole run, as markdown headings and the github summary give it. */
export function baselineVerdict(report: EvalReport): { ok: boolean; text: string } {
  const b = report.baseline!;
  const base = b.base;
  const worse = b.suites.reduce((n, s) => n + s.worse.length, 0);
  const changed = b.suites.reduce((n, s) => n + s.changed.length, 0);
  if (report.interrupted || base.interrupted) return { ok: false, text: 'interrupted' };
  if (report.totals.errors || base.totals.errors) return { ok: false, text: 'provider errors' };
  if (b.suites.some((s) => s.broken.length)) return { ok: false, text: `${worse} case${worse === 1 ? '' : 's'} got worse` };
  if (b.suites.some((s) => s.regression)) return { ok: false, text: 'a significant drop' };
  if (report.totals.failed) return { ok: false, text: 'deviations' };
  if (report.suites.some((s) => s.modelMismatch?.length)) return { ok: false, text: 'model mismatch' };
  if (!report.suites.length) return { ok: true, text: `no suite changed since ${b.ref}` };
  return { ok: true, text: changed ? `no regression, ${changed} output${changed === 1 ? '' : 's'} changed` : 'no regression' };
}

/** Passed of cases, with the rate: `3/4 (75%)`. */
export function passed(side: { cases: number; passed: number }): string {
  return `${side.passed}/${side.cases}${side.cases ? ` (${pct(side.passed / side.cases)})` : ''}`;
}

export interface MovedCase {
  kind: Moved;
  suite: string;
  id: string;
  base?: CaseResult;
  head?: CaseResult;
  /** Line of the case in the head's suite file, for annotations. */
  file?: string;
  line?: number;
}

/** Every case that got worse, better or changed its output, in that order, with both runs' results. */
export function movedCases(report: EvalReport): MovedCase[] {
  const b = report.baseline!;
  const out: MovedCase[] = [];
  for (const kind of ['worse', 'better', 'changed'] as const) {
    for (const s of b.suites) {
      const base = b.base.suites.find((x) => x.suite === s.suite);
      const head = report.suites.find((x) => x.suite === s.suite);
      for (const id of s[kind]) {
        const h = head?.cases.find((c) => c.id === id);
        out.push({ kind, suite: s.suite, id, base: base?.cases.find((c) => c.id === id), head: h, file: head?.file, line: h?.line });
      }
    }
  }
  return out;
}

/** A side's answer in one line: the first sample's output (or its error), and how many samples passed when there are several. */
export function answerOf(c: CaseResult | undefined, max = 60): { text: string; samples?: string; error?: boolean } {
  if (!c || !c.samples.length) return { text: '' };
  const first = c.samples[0];
  const samples = c.samples.length > 1 ? `${c.samples.filter((x) => x.pass).length}/${c.samples.length} samples pass` : undefined;
  if (first.error) return { text: [...`${first.error.kind}: ${first.error.message}`].slice(0, max).join(''), samples, error: true };
  // By code point, so a cut never splits a character in two.
  const flat = [...(first.output ?? '').replace(/\r?\n/g, ' ⏎ ')];
  return { text: flat.length > max ? `${flat.slice(0, max - 1).join('')}…` : flat.join(''), samples };
}
