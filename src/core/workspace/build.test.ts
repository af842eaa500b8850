import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../errors.js';
import { buildWorkspace } from './build.js';
import type { RawFile } from './workspace.js';

const CONFIG = 'version: 1\nmodels:\n  fast: openai:gpt-4o-mini\n';
const PROMPT = `id: inv
version: 1
model: fast
messages:
  - role: system
    content: One word.
  - role: user
    content: "Invoice:\\n{{invoice_text}}"
vars:
  invoice_text: { type: string, required: true, maxLength: 50 }
`;
const SUITE = `suite: inv
prompt: inv
cases:
  - id: a
    vars: { invoice_text: power }
    expect: utilities
`;
const AUTOMATION = `id: inv
name: Invoices
owner: jane@example.com
tier: 1
prompt: inv
evals: [inv]
governance: { purpose: a, data: b, decisions: { autonomous: c, humanReview: d }, testing: e, monitoring: f, overrideProcess: g, limitations: h }
`;

function build(over: Record<string, string | undefined>): string[] {
  const files: Record<string, string | undefined> = { 'aigov.yaml': CONFIG, 'prompts/inv.yaml': PROMPT, 'evals/inv.yaml': SUITE, 'automations/inv.yaml': AUTOMATION, ...over };
  const raw: RawFile[] = Object.entries(files)
    .filter(([, text]) => text !== undefined)
    .map(([path, text]) => ({ path, text }));
  return buildWorkspace('/ws', raw).problems.map(formatProblem);
}

describe('buildWorkspace', () => {
  it('accepts a valid workspace', () => expect(build({})).toEqual([]));

  it.each<[string, Record<string, string | undefined>, (string | RegExp)[]]>([
    ['no aigov.yaml', { 'aigov.yaml': undefined }, [/^aigov.yaml error no aigov.yaml/]],
    ['unknown template variable, with its exact position', { 'prompts/inv.yaml': PROMPT.replace('{{invoice_text}}', '{{invoce_text}}') }, ['prompts/inv.yaml:8:25 error messages[1].content: unknown variable "invoce_text" (did you mean "invoice_text"?)', /warning vars.invoice_text: variable "invoice_text" is declared but not used/]],
    ['unknown model', { 'prompts/inv.yaml': PROMPT.replace('model: fast', 'model: fats') }, ['prompts/inv.yaml:3:8 error model: unknown model "fats" (did you mean "fast"?)']],
    ['id differs from file stem', { 'prompts/inv.yaml': PROMPT.replace('id: inv', 'id: invoice') }, [/^prompts\/inv.yaml:1:5 error id: id "invoice" must equal the file name "inv"/]],
    ['duplicate ids (.yaml and .yml)', { 'prompts/inv.yml': PROMPT }, [/^prompts\/inv.yml:1:5 error id: duplicate id "inv": also defined in prompts\/inv.yaml/]],
    ['suite: unknown prompt', { 'evals/inv.yaml': SUITE.replace('prompt: inv', 'prompt: inx') }, ['evals/inv.yaml:2:9 error prompt: unknown prompt "inx" (did you mean "inv"?)', /^automations\/inv.yaml:6:9 warning evals\[0\]: suite "inv" tests prompt "inx"/]],
    ['suite: missing required var', { 'evals/inv.yaml': SUITE.replace('vars: { invoice_text: power }', 'vars: {}') }, [/^evals\/inv.yaml:5:11 error cases\[0\].vars: case "a" is missing required variable "invoice_text"/]],
    ['suite: unknown var', { 'evals/inv.yaml': SUITE.replace('vars: { invoice_text: power }', 'vars: { invoice_text: power, invoice_txt: x }') }, [/^evals\/inv.yaml:5:34 error cases\[0\].vars.invoice_txt: unknown variable "invoice_txt" for prompt "inv" \(did you mean "invoice_text"\?\)/]],
    ['suite: var over maxLength', { 'evals/inv.yaml': SUITE.replace('power', 'x'.repeat(51)) }, [/maxLength 50/]],
    ['suite: unknown assertion type', { 'evals/inv.yaml': `${SUITE}    assert:\n      - { type: equls, value: x }\n` }, [/^evals\/inv.yaml:8:17 error cases\[0\].assert\[0\].type: .*equls.*did you mean "equals"/]],
    ['suite: duplicate case ids', { 'evals/inv.yaml': `${SUITE}  - id: a\n    vars: { invoice_text: x }\n    expect: y\n` }, [/duplicate case id "a"/]],
    ['automation: tier 4', { 'automations/inv.yaml': AUTOMATION.replace('tier: 1', 'tier: 4') }, [/^automations\/inv.yaml:4:7 error tier: /]],
    ['automation: no owner', { 'automations/inv.yaml': AUTOMATION.replace('owner: jane@example.com\n', '') }, [/^automations\/inv.yaml:1:1 error owner: required/]],
    ['automation: unknown suite', { 'automations/inv.yaml': AUTOMATION.replace('evals: [inv]', 'evals: [inv, other]') }, [/^automations\/inv.yaml:6:14 error evals\[1\]: unknown eval suite "other"/]],
    ['automation: tier 2 without reversal', { 'automations/inv.yaml': AUTOMATION.replace('tier: 1', 'tier: 2') }, [/tier 2 acts reversibly/]],
    ['automation: governance missing', { 'automations/inv.yaml': AUTOMATION.replace(/governance:.*\n/, '') }, [/warning : governance answers missing|warning governance answers missing/]],
    ['config: unknown provider', { 'aigov.yaml': CONFIG.replace('openai:', 'opnai:') }, [/^aigov.yaml:3:9 error models.fast: unknown provider "opnai" \(did you mean "openai"\?\)/]],
    ['config: password in store URL', { 'aigov.yaml': `${CONFIG}store: postgres://bob:secret@db:5432/x\n` }, [/^aigov.yaml:4:8 error store: a password in the store URL/]],
    ['config: exec provider without command', { 'aigov.yaml': `${CONFIG}providers:\n  house: { type: exec }\n` }, [/exec provider "house" needs a command/]],
    ['config: unknown key', { 'aigov.yaml': `${CONFIG}modles: {}\n` }, ['aigov.yaml:4:1 error modles: unknown key "modles" (did you mean "models"?)']],
    ['not a mapping', { 'evals/inv.yaml': '- a\n- b\n' }, [/^evals\/inv.yaml:1:1 error expected a YAML mapping/, /unknown eval suite "inv"/]],
  ])('%s', (_name, over, expected) => {
    const got = build(over);
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) => (typeof e === 'string' ? expect(got[i]).toBe(e) : expect(got[i]).toMatch(e)));
  });
});
