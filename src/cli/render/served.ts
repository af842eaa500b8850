// The served-model check and truncation, said the same way by every renderer.
import type { EvalReport, ModelMismatch, SampleResult, SuiteResult } from '../../core/eval/report.js';
import { terminalSafe } from './terminal-safe.js';

export function mismatchText(suite: Pick<SuiteResult, 'suite'>, m: ModelMismatch): string {
  const answers = `${m.answers} answer${m.answers === 1 ? '' : 's'}`;
  // The returned id is whatever the server sent: untrusted text.
  return terminalSafe(`MODEL MISMATCH: suite "${suite.suite}": ${answers} came from ${m.returned}, but aigov.lock says "${m.model}" is served as ${m.expected}; this result is no evidence for the pinned model`);
}

/** Every mismatch of the report, with its suite. */
export function mismatchesOf(report: EvalReport): { suite: SuiteResult; mismatch: ModelMismatch; text: string }[] {
  return report.suites.flatMap((suite) => (suite.modelMismatch ?? []).map((mismatch) => ({ suite, mismatch, text: mismatchText(suite, mismatch) })));
}

export const TRUNCATED = 'truncated: the answer was cut off at the token limit (finish_reason: length / stop_reason: max_tokens)';

export function isTruncated(s: Pick<SampleResult, 'truncated'>): boolean {
  return s.truncated === true;
}
