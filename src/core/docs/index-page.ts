// docs/automations/README.md: every automation on one line, linking to its page.
import { governanceGaps } from '../workspace/governance-answers.js';
import { GOVERNANCE_ANSWER_PATHS } from '../workspace/governance-answers.js';
import { NOT_LEGAL_ADVICE } from './duties.js';
import { inline, table } from './markdown.js';
import { GENERATED_MARKER } from './page.js';
import type { PageInput } from './page-input.js';

export function renderIndex(pages: readonly PageInput[]): string {
  const rows = pages.map((p) => {
    const a = p.automation;
    const gaps = governanceGaps(a.governance).length;
    return [
      `[${inline(a.name)}](${a.id}.md)`,
      inline(a.owner),
      String(a.tier),
      p.prompt ? `${inline(a.prompt)} v${p.prompt.version}` : inline(a.prompt),
      inline(p.model?.resolved ?? p.model?.requested ?? 'unknown'),
      a.downstream.length ? a.downstream.map(inline).join(', ') : 'none',
      gaps ? `${GOVERNANCE_ANSWER_PATHS.length - gaps} of ${GOVERNANCE_ANSWER_PATHS.length}` : 'all',
    ];
  });
  const body = pages.length
    ? table(['Automation', 'Owner', 'Tier', 'Prompt', 'Model', 'Downstream', 'Governance answers'], rows)
    : 'There are no automations in this workspace yet.';
  return `${[
    GENERATED_MARKER,
    '# Automations',
    'One governance page per automation, written by `aigov docs` from the files in git: what each one does, what data it processes, what it decides on its own and what a person reviews, how it is tested and monitored, and how a person overrides it. `aigov docs --check` fails in CI when a page is out of date.',
    body,
    `Each page ends with a table of the record-keeping, transparency and human-oversight duties its sections help answer (EU AI Act, ISO/IEC 42001, NIST AI RMF). ${NOT_LEGAL_ADVICE}`,
  ].join('\n\n')}\n`;
}
