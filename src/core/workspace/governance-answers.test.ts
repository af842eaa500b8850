import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatProblem } from '../../errors.js';
import { buildWorkspace } from './build.js';
import { governanceGaps, type GovernanceAnswers } from './governance-answers.js';
import { INIT_GOVERNANCE, initGovernanceYaml, isPlaceholder } from './placeholders.js';

const FULL = { purpose: 'a', data: 'b', decisions: { autonomous: 'c', humanReview: 'd' }, testing: 'e', monitoring: 'f', overrideProcess: 'g', limitations: 'h' };

describe('governanceGaps', () => {
  it.each<[string, GovernanceAnswers, string[]]>([
    ['every answer given', FULL, []],
    ['no governance block', undefined, ['purpose:missing', 'data:missing', 'decisions.autonomous:missing', 'decisions.humanReview:missing', 'testing:missing', 'monitoring:missing', 'overrideProcess:missing', 'limitations:missing']],
    ['one answer missing', { ...FULL, testing: undefined }, ['testing:missing']],
    ['a blank answer', { ...FULL, data: '  \n ' }, ['data:empty']],
    ['an answer that is not text', { ...FULL, monitoring: 42 }, ['monitoring:empty']],
    ['decisions without humanReview', { ...FULL, decisions: { autonomous: 'c' } }, ['decisions.humanReview:missing']],
    ['decisions that is not a mapping', { ...FULL, decisions: 'both' }, ['decisions.autonomous:missing', 'decisions.humanReview:missing']],
    ['the init text, as written', { ...FULL, purpose: INIT_GOVERNANCE.purpose }, ['purpose:placeholder']],
    ['the init text, re-wrapped and re-cased', { ...FULL, limitations: `  ${INIT_GOVERNANCE.limitations.toUpperCase().replace(/ /g, '\n  ')}\n` }, ['limitations:placeholder']],
    ['an init answer pasted under another key', { ...FULL, overrideProcess: INIT_GOVERNANCE['decisions.humanReview'] }, ['overrideProcess:placeholder']],
    ['the init text with a word changed is an answer', { ...FULL, purpose: INIT_GOVERNANCE.purpose.replace('angry', 'upset') }, []],
  ])('%s', (_name, governance, want) => {
    expect(governanceGaps(governance).map((g) => `${g.answer}:${g.kind}`)).toEqual(want);
  });

  it('recognises every answer of the block `aigov init` writes as a placeholder', () => {
    const { governance } = parse(initGovernanceYaml()) as { governance: GovernanceAnswers };
    expect(governanceGaps(governance).map((g) => g.kind)).toEqual(Array(8).fill('placeholder'));
    for (const text of Object.values(INIT_GOVERNANCE)) expect(isPlaceholder(text)).toBe(true);
  });
});

describe('validate warns about blank and template answers', () => {
  const files = (governance: string) => [
    { path: 'aigov.yaml', text: 'version: 1\nmodels:\n  fast: openai:gpt-4o-mini\n' },
    { path: 'prompts/inv.yaml', text: 'id: inv\nversion: 1\nmodel: fast\nmessages:\n  - role: user\n    content: hi\n' },
    { path: 'automations/inv.yaml', text: `id: inv\nname: Invoices\nowner: jane@example.com\ntier: 1\nprompt: inv\n${governance}` },
  ];

  it('names the file, line and column of each, as a warning', () => {
    const ws = buildWorkspace('/ws', files(`${initGovernanceYaml().replace(/  testing: .*\n/, '  testing: " "\n')}`));
    const warnings = ws.problems.filter((p) => p.message.includes('aigov init') || p.message.includes('blank')).map(formatProblem);
    expect(warnings).toHaveLength(8);
    expect(warnings[0]).toMatch(/^automations\/inv\.yaml:7:12 warning governance\.purpose: the answer is still the example text `aigov init` wrote/);
    expect(warnings).toContainEqual(expect.stringMatching(/^automations\/inv\.yaml:10:12 warning governance\.testing: the answer is blank/));
    expect(ws.problems.every((p) => p.severity === 'warning')).toBe(true);
  });

  it('says nothing of real answers', () => {
    const ws = buildWorkspace('/ws', files('governance: { purpose: a, data: b, decisions: { autonomous: c, humanReview: d }, testing: e, monitoring: f, overrideProcess: g, limitations: h }\n'));
    expect(ws.problems.map(formatProblem)).toEqual([]);
  });
});
