// The eval report: what `aigov eval` found. Its layout is versioned; a change needs a bump.
import type { ExitCode } from '../../errors.js';

export const REPORT_VERSION = 1;

export interface AssertionOutcome {
  type: string;
  pass: boolean;
  score: number;
  reason: string;
  expected?: unknown;
}

export interface SampleResult {
  sample: number;
  output?: string;
  error?: { kind: string; message: string };
  pass: boolean;
  assertions: AssertionOutcome[];
  tokens: { input: number; output: number };
  costUsd: number | null;
  latencyMs: number;
  source?: 'live' | 'cache' | 'replay';
  modelReturned?: string | null;
  /** The answer was cut off at the token limit (finish_reason: length, stop_reason: max_tokens). */
  truncated?: boolean;
}

/** Answers that came from another model than the lock says is served: the suite's result is no evidence for the pin. */
export interface ModelMismatch {
  /** The logical model: the suite's own, or a judge's. */
  model: string;
  /** The lock's `served`. */
  expected: string;
  /** What the API reported instead. */
  returned: string;
  /** How many answers reported it. */
  answers: number;
}

export type CaseStatus = 'pass' | 'fail' | 'error';

export interface CaseResult {
  id: string;
  status: CaseStatus;
  /** Line of the case in its suite file, for annotations. */
  line?: number;
  samples: SampleResult[];
}

export interface SuiteTotals {
  cases: number;
  passed: number;
  failed: number;
  errors: number;
  /** Cases an interrupted run did not finish (in flight or never started): neither passed, failed nor errors. */
  interrupted: number;
  passRate: number;
  tokens: { input: number; output: number };
  costUsd: number | null;
  durationMs: number;
}

export interface SuiteResult {
  suite: string;
  file: string;
  prompt: { id: string; version: number; sha256: string; editedSinceLock: boolean };
  /** `served`: what the lock says the API reports for `resolved` (null: it reports none); `returned`: every id the answers reported. */
  model: { name: string; requested: string; resolved: string; locked: boolean; served?: string | null; returned?: string[] };
  /** Present when some answer came from another model than the lock's `served`: the suite's gate fails. */
  modelMismatch?: ModelMismatch[];
  /** Fraction of a case's samples that must pass. */
  requiredPassRate: number;
  outputType: 'text' | 'json';
  cases: CaseResult[];
  totals: SuiteTotals;
}

export interface EvalReport {
  version: typeof REPORT_VERSION;
  startedAt: string;
  durationMs: number;
  mode: 'live' | 'replay' | 'record';
  unlocked: boolean;
  interrupted: boolean;
  shard?: { index: number; count: number };
  /** HEAD as the run found it (null outside git), and whether the workspace's files differed from it. */
  commit?: string | null;
  dirty?: boolean;
  /** sha256 of aigov.lock's text as the run read it; null without a lock. Shard reports merge only when these agree. */
  lockSha256?: string | null;
  warnings: string[];
  suites: SuiteResult[];
  totals: SuiteTotals;
  /** `--baseline REF`: the same suites run at the ref, and how the head compares. The rest of the report is the head's run. */
  baseline?: BaselineComparison;
}

/** One side of a suite compared with `--baseline`: what it ran and how it did. */
export interface BaselineSide {
  prompt: { id: string; version: number; sha256: string };
  model: string;
  repeat: number;
  requiredPassRate: number;
  cases: number;
  passed: number;
  /** Samples that passed, of all samples: what Fisher's test counts. */
  samples: { passed: number; total: number };
}

/** A case run both ways, paired by id. */
export interface PairedCase {
  id: string;
  base: CaseStatus;
  head: CaseStatus;
  /** Some sample's output differs between the two runs. */
  outputChanged: boolean;
}

export interface SuiteComparison {
  suite: string;
  base: BaselineSide;
  head: BaselineSide;
  /** One-sided exact p-value for a drop at head; 1 when no pair differs. */
  pValue: number;
  /** McNemar's on the paired cases (one sample a side), Fisher's on the samples otherwise. */
  test: 'mcnemar' | 'fisher';
  /** What the test counted: discordant pairs for McNemar, passing and failing samples for Fisher. */
  counts: { worse: number; better: number } | { base: { pass: number; fail: number }; head: { pass: number; fail: number } };
  /** Passed at base, does not pass at head. */
  worse: string[];
  /** Did not pass at base, passes at head. */
  better: string[];
  /** Passes both ways, with a different output. */
  changed: string[];
  /** Of `worse`: fails every sample at head, a deterministic regression. */
  broken: string[];
  /** A provider error on either side: no evidence either way, left out of the test. */
  errors: string[];
  /** Cases in one version of the suite only (added or removed by the change): run on their side, not paired. */
  onlyBase: string[];
  onlyHead: string[];
  cases: PairedCase[];
  /** The gate: a case broke, or p < significance. */
  regression: boolean;
}

export interface BaselineComparison {
  /** The ref as it was given, and the commit it named. */
  ref: string;
  commit: string;
  /** The test's threshold: a drop with p below it fails the gate. */
  significance: number;
  suites: SuiteComparison[];
  /** Suites the change added: they run at head only and gate as in a plain eval. */
  added: string[];
  /** Suites the ref has and the working tree no longer does: nothing to run. */
  removed: string[];
  /** The base run's own report (its outputs, totals, warnings). */
  base: EvalReport;
}

/** A case passes when at least `required` of its samples pass; any failed call makes it an error. */
export function caseStatus(samples: readonly SampleResult[], required: number): CaseStatus {
  if (samples.some((s) => s.error)) return 'error';
  const passed = samples.filter((s) => s.pass).length;
  return passed / samples.length >= required - 1e-9 ? 'pass' : 'fail';
}

export function suiteTotals(cases: readonly CaseResult[], durationMs: number, interrupted = 0): SuiteTotals {
  const t: SuiteTotals = { cases: cases.length, passed: 0, failed: 0, errors: 0, interrupted, passRate: 0, tokens: { input: 0, output: 0 }, costUsd: 0, durationMs };
  let unpriced = false;
  for (const c of cases) {
    if (c.status === 'pass') t.passed++;
    else if (c.status === 'fail') t.failed++;
    else t.errors++;
    for (const s of c.samples) {
      t.tokens.input += s.tokens.input;
      t.tokens.output += s.tokens.output;
      if (s.costUsd === null) unpriced ||= !s.error;
      else t.costUsd! += s.costUsd;
    }
  }
  if (unpriced && t.costUsd === 0) t.costUsd = null;
  t.passRate = t.cases ? t.passed / t.cases : 1;
  return t;
}

export function mergeTotals(suites: readonly SuiteResult[], durationMs: number): SuiteTotals {
  // `?? 0`: a report written before the field existed (merging shard reports).
  return suiteTotals(suites.flatMap((s) => s.cases), durationMs, suites.reduce((n, s) => n + (s.totals.interrupted ?? 0), 0));
}

/** Whether a suite's gate held: every case passed, and every answer came from the served model. */
export function suitePassed(s: Pick<SuiteResult, 'totals' | 'modelMismatch'>): boolean {
  return s.totals.failed === 0 && s.totals.errors === 0 && !s.modelMismatch?.length;
}

/**
 * SPEC exit codes: provider failures (3) win over deviations and model mismatches (1); Ctrl-C is 130.
 * With `--baseline`, the base run's interruption and provider failures count too (without them
 * there is nothing to compare with), and a regression against the base fails the gate; the base's
 * own failed cases do not.
 */
export function exitCodeOf(report: EvalReport): ExitCode {
  const base = report.baseline?.base;
  if (report.interrupted || base?.interrupted) return 130;
  if (report.totals.errors > 0 || (base?.totals.errors ?? 0) > 0) return 3;
  if (report.totals.failed > 0) return 1;
  if (report.suites.some((s) => s.modelMismatch?.length)) return 1;
  if (report.baseline?.suites.some((s) => s.regression)) return 1;
  return 0;
}
