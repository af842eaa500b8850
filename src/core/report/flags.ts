// The monthly review's flags, each with a stable code, decided honestly: a
// rise in a rate counts only with at least MIN_RUNS runs in each month and a
// one-sided Fisher's exact test at p < 0.05 (1 of 3 is no trend); falling
// confidence compares the two months' whole distributions (Mann-Whitney U),
// not one number. Pure: figures in, flags out.
import type { EvalRecord } from '../stats/evals.js';
import { percentMedian } from '../stats/percent.js';
import type { WindowStats } from '../stats/window-stats.js';
import type { Gate, GateName } from '../tiers/gates.js';
import { MIN_RUNS } from './figures.js';
import { count, pct, pValueText } from './format.js';
import type { ReviewMissed } from './review-missed.js';
import { fisherGreater, rankTestLower } from './significance.js';

export const FLAG_CODES = ['confidence_falling', 'override_rising', 'error_rising', 'review_missed', 'model_mismatch', 'eval_failing', 'promotion_gate_failing'] as const;
export type FlagCode = (typeof FLAG_CODES)[number];

/** A flag on a trend is raised below this p-value. */
export const SIGNIFICANCE = 0.05;

export interface Flag {
  code: FlagCode;
  /** One sentence: what was seen, and how it was decided. */
  detail: string;
  /** For the flags on a trend: the one-sided p-value of the test. */
  pValue?: number;
  /** promotion_gate_failing: the gates that fail, and the demotion suggested. */
  gates?: GateName[];
  suggestion?: string;
}

export interface FlagInput {
  automation: string;
  /** The tier its runs get now (the lower of the file's and the lock's). */
  tier: number;
  /** `confidence.threshold`, for the share of runs under it; absent when not set. */
  threshold?: number;
  current: WindowStats;
  previous: WindowStats;
  reviewMissed: ReviewMissed | null;
  /** Per suite in `evals`: the eval it is judged by (at the current prompt and locked model, else its newest), null when never run. */
  evals: readonly { suite: string; record: EvalRecord | null }[];
  /** Above tier 1: the promotion gates to its tier, as they stand today over the runs since its last tier change. */
  gates: { list: readonly Gate[]; started: number } | null;
}

export function flags(f: FlagInput): Flag[] {
  const out: Flag[] = [];
  const conf = confidenceFalling(f);
  if (conf) out.push(conf);
  const override = rising('override_rising', 'override rate', f.current.corrected, f.current.finished, f.previous.corrected, f.previous.finished, 'finished');
  if (override) out.push(override);
  const error = rising('error_rising', 'error rate', f.current.failed, f.current.started, f.previous.failed, f.previous.started, 'started');
  if (error) out.push(error);
  if (f.reviewMissed) {
    const period = f.reviewMissed.period;
    out.push({ code: 'review_missed', detail: `no review was signed off for ${period.length === 1 ? period[0] : `any of ${period.join(', ')}`} (aigov report --month ${period.at(-1)} --sign-off)` });
  }
  if (f.current.modelMismatches > 0) {
    out.push({ code: 'model_mismatch', detail: `${count(f.current.modelMismatches)} of ${count(f.current.finished + f.current.failed)} runs were answered by another model than the lock says is served` });
  }
  const failing = f.evals.filter((e) => e.record && !e.record.passed);
  if (failing.length) {
    out.push({ code: 'eval_failing', detail: failing.map(({ suite, record: r }) => `${suite} failed${r!.passRate === null ? '' : ` (${pct(r!.passRate)} passed)`} at ${r!.at}`).join('; ') });
  }
  const gate = gateFailing(f);
  if (gate) out.push(gate);
  return out;
}

function rising(code: FlagCode, what: string, x2: number, n2: number, x1: number, n1: number, of: string): Flag | null {
  if (n1 < MIN_RUNS || n2 < MIN_RUNS || x2 / n2 <= x1 / n1) return null;
  const p = fisherGreater(x2, n2, x1, n1);
  if (p >= SIGNIFICANCE) return null;
  return {
    code,
    detail: `${what} ${pct(x1 / n1)} → ${pct(x2 / n2)} (${count(x1)} of ${count(n1)} ${of} → ${count(x2)} of ${count(n2)}); one-sided Fisher's exact test p = ${pValueText(p)}`,
    pValue: p,
  };
}

function confidenceFalling(f: FlagInput): Flag | null {
  const cur = f.current.confidencePercent;
  const prev = f.previous.confidencePercent;
  const n2 = cur.reduce((s, x) => s + x, 0);
  const n1 = prev.reduce((s, x) => s + x, 0);
  if (n1 < MIN_RUNS || n2 < MIN_RUNS) return null;
  const t = rankTestLower(cur, prev);
  if (!t || t.pValue >= SIGNIFICANCE) return null;
  const median = (h: readonly number[]) => percentMedian(h)!.toFixed(2);
  let detail = `median confidence ${median(prev)} → ${median(cur)}`;
  if (f.threshold !== undefined) {
    const under = (h: readonly number[], n: number) => h.slice(0, Math.round(f.threshold! * 100)).reduce((s, x) => s + x, 0) / n;
    detail += `, under the threshold ${f.threshold}: ${pct(under(prev, n1))} → ${pct(under(cur, n2))}`;
  }
  detail += `; a run of this month is more confident than one of last month with probability ${t.superiority.toFixed(2)} (0.50 is no change); one-sided Mann-Whitney U test p = ${pValueText(t.pValue)}`;
  return { code: 'confidence_falling', detail, pValue: t.pValue };
}

const RATE_GATES: ReadonlySet<GateName> = new Set(['errorRate', 'overrideRate', 'lowConfidenceRate']);

function gateFailing(f: FlagInput): Flag | null {
  if (f.tier <= 1 || !f.gates) return null;
  // Fewer runs than promotion asks for is no reason to demote (every promotion starts there), and a
  // rate over fewer than MIN_RUNS runs is noise.
  const failing = f.gates.list.filter((g) => !g.pass && g.name !== 'runs' && !(RATE_GATES.has(g.name) && f.gates!.started < MIN_RUNS));
  if (!failing.length) return null;
  const to = f.tier - 1;
  return {
    code: 'promotion_gate_failing',
    detail: `${failing.map(gateText).join('; ')}: a promotion to tier ${f.tier} would fail today; consider demoting to tier ${to}`,
    gates: failing.map((g) => g.name),
    suggestion: `aigov demote ${f.automation} --to ${to} --reason "monthly review: ${failing.map((g) => g.name).join(', ')} failing"`,
  };
}

function gateText(g: Gate): string {
  if (RATE_GATES.has(g.name)) return `${g.name} ${pct(g.actual as number | null)} (at most ${pct(g.required as number)})`;
  if (g.name === 'reviewBacklog') return `reviewBacklog: a run has waited ${Number((g.actual as number).toFixed(1))} days (at most ${g.required})`;
  return `${g.name}: ${g.actual}`;
}
