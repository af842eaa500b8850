// The governance answers that `aigov init` writes. They describe the scaffold's
// example, not the user's automation: left unchanged, they are no answer at all.
// `init` writes them from here and validation and promotion recognise them from
// here, so the two cannot drift apart.

/** One governance answer, by its path under `governance:` in an automation file. */
export type GovernanceAnswer =
  | 'purpose'
  | 'data'
  | 'decisions.autonomous'
  | 'decisions.humanReview'
  | 'testing'
  | 'monitoring'
  | 'overrideProcess'
  | 'limitations';

export const INIT_GOVERNANCE: Readonly<Record<GovernanceAnswer, string>> = {
  purpose: 'Tags incoming support messages by sentiment so angry customers are answered first.',
  data: 'The text of customer messages; may contain personal data; not stored by aigov unless logInputs is set.',
  'decisions.autonomous': 'Nothing at tier 1.',
  'decisions.humanReview': 'Every tag is approved by an agent.',
  testing: 'The sentiment suite runs on every pull request against the locked model.',
  monitoring: 'Confidence and override rates on the aigov dashboard, reviewed monthly.',
  overrideProcess: 'An agent overrides a tag with aigov review override.',
  limitations: 'Sarcasm and mixed messages are often misread.',
};

/** Whitespace and case do not make an answer: "  nothing AT tier 1. " is still the template's. */
function normalise(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

const PLACEHOLDER_TEXTS = new Set(Object.values(INIT_GOVERNANCE).map(normalise));

/** Any of the template's answers counts, wherever it was pasted: a copied placeholder answers nothing either. */
export function isPlaceholder(text: string): boolean {
  return PLACEHOLDER_TEXTS.has(normalise(text));
}

/** The `governance:` block of the scaffold's automation file, as `init` writes it. */
export function initGovernanceYaml(): string {
  const g = INIT_GOVERNANCE;
  return `governance:
  purpose: ${g.purpose}
  data: ${g.data}
  decisions: { autonomous: ${g['decisions.autonomous']}, humanReview: ${g['decisions.humanReview']} }
  testing: ${g.testing}
  monitoring: ${g.monitoring}
  overrideProcess: ${g.overrideProcess}
  limitations: ${g.limitations}
`;
}
