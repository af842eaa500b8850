// `aigov calibrate` in a terminal: the grades it read, the reliability table,
// ECE and Brier, and the threshold or why there is none. Pure.
import type { Calibration } from '../../core/calibration/calibrate.js';
import type { Needed } from '../../core/calibration/threshold.js';
import { count, pct } from '../../core/report/format.js';

export function renderCalibration(c: Calibration): string {
  const out: string[] = [];
  const target = pct(c.targetPrecision, 2);
  out.push(`${c.automation}: ${count(c.graded)} graded runs (${count(c.correct)} correct, ${count(c.wrong)} wrong), target precision ${target}`);
  out.push(`  graded by ${count(c.sources.review)} reviews of low-confidence runs, ${count(c.sources.approval)} tier-1 approvals, ${count(c.sources.audit)} audits${c.gradedWithoutConfidence ? `; ${count(c.gradedWithoutConfidence)} graded runs had no confidence and are left out` : ''}`);
  out.push(`  ${SAMPLE[c.sample]}`);
  out.push('');
  out.push('  confidence   graded   mean confidence   accuracy');
  for (const b of c.bins) {
    const range = `${b.from.toFixed(1)}–${b.to.toFixed(1)}`;
    out.push(`  ${range.padEnd(10)} ${count(b.count).padStart(8)}   ${(b.meanConfidence === null ? '–' : b.meanConfidence.toFixed(3)).padStart(15)}   ${(b.accuracy === null ? '–' : b.accuracy.toFixed(3)).padStart(8)}`);
  }
  out.push('');
  out.push(`  expected calibration error ${c.ece === null ? '–' : c.ece.toFixed(4)}   Brier score ${c.brier === null ? '–' : c.brier.toFixed(4)}`);
  out.push('');
  if (c.threshold !== null && c.autoPassed) {
    const p = c.autoPassed;
    out.push(`threshold ${c.threshold.toFixed(2)}: ${count(p.runs)} graded runs at or above it, ${count(p.errors)} wrong (${pct(p.errors / p.runs, 2)}); the ${pct(c.level, 0)} upper bound of their error rate is ${pct(p.upperBound, 2)}, within ${pct(1 - c.targetPrecision, 2)}`);
    out.push(`  coverage ${pct(c.coverage, 1)}: the share of finished runs it lets pass automatically${c.current ? ` (the file's ${c.current.threshold} lets ${pct(c.current.coverage, 1)} pass)` : ''}`);
  } else {
    out.push(`no threshold meets precision ${target}: ${neededText(c.needed!, c)}`);
  }
  return out.join('\n');
}

const SAMPLE: Record<Calibration['sample'], string> = {
  complete: 'every finished run went to a person (no run passed automatically): the grades are a complete sample',
  audited: 'runs that passed automatically are graded through the audit sample (review.sample): the grades above the threshold are an unbiased sample',
  unaudited:
    'warning: the graded runs are only low-confidence ones (sent to review) and tier-1 approvals; runs that passed automatically were not sampled, so the error rate above the threshold is not known from them. Set review.sample to have an audit sample graded.',
};

export function neededText(n: Needed, c: Calibration): string {
  switch (n.kind) {
    case 'more_runs':
      return `too few graded runs: ${count(n.runs)} graded, at least ${count(n.withoutError)} without an error are needed for the ${pct(c.level, 0)} upper bound to reach ${pct(1 - c.targetPrecision, 2)}`;
    case 'more_runs_at_rate':
      return `the closest is ${n.threshold.toFixed(2)} (${count(c.closest!.runs)} graded at or above it, ${count(c.closest!.errors)} wrong, bound ${pct(c.closest!.upperBound, 2)}); at that error rate (${pct(n.errorRate, 2)}) about ${count(n.runs)} graded runs at or above it are needed`;
    case 'error_rate_too_high':
      return `the error rate is at least ${pct(n.errorRate, 2)} at or above every threshold: more grades will not meet the target; improve the automation or lower --target-precision`;
  }
}
