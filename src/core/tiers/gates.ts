// The promotion gates of SPEC "Tiers and promotion", each computed from plain
// facts: what is required, what was found, and whether it holds. Pure.
import { errorRate, lowConfidenceRate, overrideRate } from '../stats/rates.js';
import { governanceGaps } from '../workspace/governance-answers.js';
import type { EvalFact, GateFacts } from './facts.js';
import { CADENCE_MS, DEFAULT_CADENCE, promotionThresholds } from './policy.js';

export type GateName = 'governance' | 'lock' | 'evals' | 'runs' | 'errorRate' | 'overrideRate' | 'lowConfidenceRate' | 'reviewBacklog' | 'reversal' | 'notify';

/**
 * One gate. Counts and rates are numbers (rates as fractions in 0..1, the
 * backlog in days), everything else is a sentence; `actual` is null for a rate
 * with no runs to measure it on.
 */
export interface Gate {
  name: GateName;
  required: number | string;
  actual: number | string | null;
  pass: boolean;
}

const DAY = 86_400_000;

export function gates(f: GateFacts): Gate[] {
  const t = promotionThresholds(f.promotion);
  const out: Gate[] = [
    governanceGate(f),
    { name: 'lock', required: 'current for its model and prompt', actual: f.lockDrift.length ? f.lockDrift.join('; ') : 'current', pass: f.lockDrift.length === 0 },
    evalsGate(f.evals),
    { name: 'runs', required: t.minRuns, actual: f.runs.finished, pass: f.runs.finished >= t.minRuns },
    // With no runs a rate has no value and does not block: the runs gate is what asks for evidence.
    rateGate('errorRate', errorRate(f.runs), t.maxErrorRate),
    rateGate('overrideRate', overrideRate(f.runs), t.maxOverrideRate),
    rateGate('lowConfidenceRate', lowConfidenceRate(f.runs), t.maxLowConfidenceRate),
    backlogGate(f),
  ];
  if (f.to === 2) {
    out.push({ name: 'reversal', required: 'configured', actual: f.reversal ? 'configured' : 'not configured', pass: f.reversal });
    out.push({ name: 'notify', required: 'configured', actual: f.notify ? 'configured' : 'not configured', pass: f.notify });
  }
  return out;
}

function governanceGate(f: GateFacts): Gate {
  const gaps = governanceGaps(f.governance).map((g) => `governance.${g.answer} ${g.kind === 'placeholder' ? 'is the example text of `aigov init`' : `is ${g.kind}`}`);
  if (!f.owner?.trim()) gaps.unshift('owner is missing');
  return { name: 'governance', required: 'an owner and every governance answer', actual: gaps.length ? gaps.join('; ') : 'all answered', pass: gaps.length === 0 };
}

function evalsGate(evals: readonly EvalFact[]): Gate {
  const required = 'every suite in evals passing at the current prompt and the locked, served model';
  if (!evals.length) return { name: 'evals', required, actual: 'no suites in evals', pass: false };
  const lines = evals.map(({ suite, evidence: e }) => {
    if (!e) return `${suite}: no eval at the current prompt and locked model`;
    const rate = e.passRate === null ? '' : ` (${Number((e.passRate * 100).toFixed(2))}%)`;
    return `${suite}: ${e.passed ? 'passed' : 'failed'}${rate} at ${e.at}`;
  });
  return { name: 'evals', required, actual: lines.join('; '), pass: evals.every((x) => x.evidence?.passed === true) };
}

function rateGate(name: 'errorRate' | 'overrideRate' | 'lowConfidenceRate', rate: number | null, max: number): Gate {
  return { name, required: max, actual: rate, pass: rate === null || rate <= max };
}

function backlogGate(f: GateFacts): Gate {
  const cadence = f.cadence ?? DEFAULT_CADENCE;
  const limit = CADENCE_MS[cadence];
  const waited = f.oldestWaitingAt === null ? 0 : Math.max(0, Date.parse(f.asOf) - Date.parse(f.oldestWaitingAt));
  return { name: 'reviewBacklog', required: limit / DAY, actual: waited / DAY, pass: waited <= limit };
}
