// Whether an automation's governance answers say anything: what `validate` warns
// about, what the `governance` promotion gate and the governance pages read. Pure.
import type { Problem } from '../../errors.js';
import { isPlaceholder, type GovernanceAnswer } from './placeholders.js';
import { problemAt } from './source.js';
import type { Automation } from './schemas.js';
import type { Loaded } from './workspace.js';

export const GOVERNANCE_ANSWER_PATHS: readonly GovernanceAnswer[] = [
  'purpose',
  'data',
  'decisions.autonomous',
  'decisions.humanReview',
  'testing',
  'monitoring',
  'overrideProcess',
  'limitations',
];

export type GapKind = 'missing' | 'empty' | 'placeholder';

export interface GovernanceGap {
  answer: GovernanceAnswer;
  kind: GapKind;
}

/** The shape of `governance:` as read, loosely: files of an older or newer schema still answer. */
export type GovernanceAnswers = { readonly [key: string]: unknown } | undefined;

export function answerText(governance: GovernanceAnswers, answer: GovernanceAnswer): unknown {
  const [head, tail] = answer.split('.');
  const value = governance?.[head];
  if (tail === undefined) return value;
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[tail] : undefined;
}

/** Every answer that is missing, blank, or still the text `aigov init` wrote, in file order. */
export function governanceGaps(governance: GovernanceAnswers): GovernanceGap[] {
  const gaps: GovernanceGap[] = [];
  for (const answer of GOVERNANCE_ANSWER_PATHS) {
    const text = answerText(governance, answer);
    if (text === undefined || text === null) gaps.push({ answer, kind: 'missing' });
    else if (typeof text !== 'string' || !text.trim()) gaps.push({ answer, kind: 'empty' });
    else if (isPlaceholder(text)) gaps.push({ answer, kind: 'placeholder' });
  }
  return gaps;
}

/**
 * `validate` warnings for blank and template answers. Missing ones are already
 * warned about by the cross-reference rules, so they are not repeated here.
 */
export function checkGovernanceAnswers({ value: a, source }: Loaded<Automation>): Problem[] {
  return governanceGaps(a.governance).flatMap(({ answer, kind }) => {
    const path = ['governance', ...answer.split('.')];
    if (kind === 'empty') return [problemAt(source, path, 'the answer is blank (promotion requires every governance answer)', { severity: 'warning' })];
    if (kind === 'placeholder') return [problemAt(source, path, 'the answer is still the example text `aigov init` wrote (promotion requires a real answer)', { severity: 'warning', hint: `say it for "${a.id}" in your own words` })];
    return [];
  });
}
