import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../errors.js';
import { buildWorkspace } from './build.js';
import type { RuleTools } from './rules.js';
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

function build(over: Record<string, string | undefined>, tools: RuleTools = {}): string[] {
  const files: Record<string, string | undefined> = { 'aigov.yaml': CONFIG, 'prompts/inv.yaml': PROMPT, 'evals/inv.yaml': SUITE, 'automations/inv.yaml': AUTOMATION, ...over };
  const raw: RawFile[] = Object.entries(files)
    .filter(([, text]) => text !== undefined)
    .map(([path, text]) => ({ path, text }));
  return buildWorkspace('/ws', raw, undefined, tools).problems.map(formatProblem);
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
    ['not a mapping', { 'evals/inv.yaml': '- a\n- b\n' }, [/^evals\/inv.yaml:1:1 error expected a YAML mapping/]],
  ])('%s', (_name, over, expected) => {
    const got = build(over);
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) => (typeof e === 'string' ? expect(got[i]).toBe(e) : expect(got[i]).toMatch(e)));
  });
});

// Two logical models, `fast` pinned and `judge` not; a price only for fast's locked snapshot.
const PRICED = `${CONFIG}  judge: openai:gpt-4o\npricing:\n  gpt-4o-mini-2024-07-18: { input: 0.15, output: 0.6 }\n`;
const LOCK = `lockfileVersion: 1
models:
  fast: { requested: openai:gpt-4o-mini, resolved: openai:gpt-4o-mini-2024-07-18, pinnedAt: 2026-01-01T00:00:00Z, pinnedBy: t }
prompts: {}
`;
const withAssert = (...asserts: string[]) => `${SUITE}    assert:\n${asserts.map((a) => `      - ${a}\n`).join('')}`;
const JSON_PROMPT = PROMPT.replace('vars:', 'output: { type: json }\nvars:');

describe('what eval would only meet at run time is found by validation, with its line', () => {
  it.each<[string, Record<string, string | undefined>, (string | RegExp)[]]>([
    ['a schema assertion, the prompt has no output schema', { 'evals/inv.yaml': withAssert('{ type: schema }') }, ['evals/inv.yaml:8:17 error cases[0].assert[0].type: prompt "inv" declares no output schema to check against (add output: { type: json, schema: … } to the prompt, or use is-json)']],
    ['a not-schema assertion, likewise', { 'evals/inv.yaml': withAssert('{ type: not-schema }') }, [/^evals\/inv.yaml:8:17 error cases\[0\].assert\[0\].type: prompt "inv" declares no output schema/]],
    ['a schema assertion with a schema: fine', { 'prompts/inv.yaml': PROMPT.replace('vars:', 'output: { type: json, schema: { type: object } }\nvars:'), 'evals/inv.yaml': withAssert('{ type: schema }') }, []],
    ['expect: left empty', { 'evals/inv.yaml': SUITE.replace('expect: utilities', 'expect:') }, ['evals/inv.yaml:6:5 error cases[0].expect: case "a": expect is empty (write the expected answer, or expect: "" for an empty answer)']],
    ['expect: left empty in a flow mapping', { 'evals/inv.yaml': SUITE.replace('expect: utilities', 'assert: []').replace('cases:\n', 'cases:\n  - { id: b, vars: { invoice_text: x }, expect: }\n') }, [/^evals\/inv.yaml:4:41 error cases\[0\].expect: case "b": expect is empty/, /case "a" has neither expect nor assert/]],
    ['expect: left empty on a JSON prompt', { 'prompts/inv.yaml': JSON_PROMPT, 'evals/inv.yaml': SUITE.replace('expect: utilities', 'expect:') }, [/^evals\/inv.yaml:6:5 error cases\[0\].expect: case "a": expect is empty \(write the expected JSON value, or expect: null for the JSON value null\)/]],
    ['expect: null on a JSON prompt: the JSON value null', { 'prompts/inv.yaml': JSON_PROMPT, 'evals/inv.yaml': SUITE.replace('expect: utilities', 'expect: null') }, []],
    ['expect: null on a text prompt', { 'evals/inv.yaml': SUITE.replace('expect: utilities', 'expect: ~') }, [/^evals\/inv.yaml:6:5 error cases\[0\].expect: case "a": expect: null on a text prompt/]],
    ['expect: "" expects an empty answer: fine', { 'evals/inv.yaml': SUITE.replace('expect: utilities', 'expect: ""') }, []],
    ['a judge model that is not a logical model', { 'aigov.yaml': PRICED, 'evals/inv.yaml': withAssert('{ type: judge, rubric: polite, model: gpt-4o }') }, ['evals/inv.yaml:8:47 error cases[0].assert[0].model: unknown model "gpt-4o" (judge models are logical models from aigov.yaml)']],
    ['a judge model that is not pinned', { 'aigov.yaml': PRICED, 'aigov.lock': LOCK, 'evals/inv.yaml': withAssert('{ type: judge, rubric: polite, model: judge }') }, ['evals/inv.yaml:8:47 warning cases[0].assert[0].model: judge model "judge" is not pinned in aigov.lock: `aigov eval` will refuse to run this suite (run `aigov pin`)']],
    ['a judge model that is pinned: fine', { 'aigov.yaml': PRICED, 'aigov.lock': LOCK, 'evals/inv.yaml': withAssert('{ type: judge, rubric: polite, model: fast }') }, []],
    ['a judge with no lock at all: the lock is the problem', { 'aigov.yaml': PRICED, 'evals/inv.yaml': withAssert('{ type: judge, rubric: polite, model: judge }') }, []],
    [
      'max-cost on a locked model with no price, once per suite',
      { 'aigov.lock': LOCK, 'evals/inv.yaml': `${withAssert('{ type: max-cost, value: 0.01 }')}  - id: b\n    vars: { invoice_text: x }\n    assert: [{ type: not-max-cost, value: 1 }]\n` },
      ['evals/inv.yaml:8:17 error cases[0].assert[0].type: max-cost needs the price of openai:gpt-4o-mini-2024-07-18, and pricing in aigov.yaml has none (and 1 more in this suite) (add pricing: { gpt-4o-mini-2024-07-18: { input: …, output: … } } to aigov.yaml (USD per million tokens))'],
    ],
    ['max-cost on a locked, priced model: fine', { 'aigov.yaml': PRICED, 'aigov.lock': LOCK, 'evals/inv.yaml': withAssert('{ type: max-cost, value: 0.01 }') }, []],
    ['max-cost priced as provider:model: fine', { 'aigov.yaml': `${CONFIG}pricing:\n  openai:gpt-4o-mini-2024-07-18: { input: 1, output: 1 }\n`, 'aigov.lock': LOCK, 'evals/inv.yaml': withAssert('{ type: max-cost, value: 0.01 }') }, []],
    ['max-cost on a model not locked yet: left to drift and to eval', { 'evals/inv.yaml': withAssert('{ type: max-cost, value: 0.01 }') }, []],
  ])('%s', (_name, over, expected) => {
    const got = build(over).filter((p) => !/governance answers/.test(p));
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) => (typeof e === 'string' ? expect(got[i]).toBe(e) : expect(got[i]).toMatch(e)));
  });

  it('places what the schema compiler reports inside output.schema, and only calls it for prompts with a schema', () => {
    const schemaPrompt = PROMPT.replace('vars:', 'output:\n  type: json\n  schema:\n    type: object\n    properties:\n      a: { type: strin }\nvars:');
    const seen: unknown[] = [];
    const tools: RuleTools = {
      checkJsonSchema: (schema) => {
        seen.push(schema);
        return [{ path: ['properties', 'a', 'type'], message: 'must be equal to one of the allowed values' }];
      },
    };
    expect(build({}, tools)).toEqual([]);
    expect(seen).toEqual([]);
    expect(build({ 'prompts/inv.yaml': schemaPrompt }, tools)).toEqual(['prompts/inv.yaml:14:18 error output.schema.properties.a.type: not a valid JSON Schema: must be equal to one of the allowed values']);
    expect(seen).toEqual([{ type: 'object', properties: { a: { type: 'strin' } } }]);
  });
});

describe('one root cause, one error', () => {
  const broken = 'id: [inv\n';
  it.each<[string, Record<string, string | undefined>, RegExp[]]>([
    ['a suite file that fails to parse: no "unknown eval suite" in the automation', { 'evals/inv.yaml': broken }, [/^evals\/inv.yaml:\d+:\d+ error invalid YAML/]],
    ['a suite file with a schema error: likewise', { 'evals/inv.yaml': SUITE.replace('cases:', 'repeat: 0\ncases:') }, [/^evals\/inv.yaml:3:9 error repeat: /]],
    ['a suite file whose id differs from its name: likewise', { 'evals/inv.yaml': SUITE.replace('suite: inv', 'suite: invoices') }, [/^evals\/inv.yaml:1:8 error suite: suite "invoices" must equal the file name "inv"/]],
    ['a prompt file that fails to parse: no "unknown prompt" in the suite or the automation', { 'prompts/inv.yaml': broken }, [/^prompts\/inv.yaml:\d+:\d+ error invalid YAML/]],
    ['a prompt file with a schema error: likewise', { 'prompts/inv.yaml': PROMPT.replace('version: 1', 'version: one') }, [/^prompts\/inv.yaml:2:10 error version: /]],
    ['a prompt really missing is still named, in the suite and the automation', { 'prompts/inv.yaml': undefined, 'prompts/inv.yml': undefined }, [/unknown prompt "inv"/, /unknown prompt "inv"/]],
    ['a suite really missing is still named', { 'evals/inv.yaml': undefined }, [/^automations\/inv.yaml:6:9 error evals\[0\]: unknown eval suite "inv"/]],
    ['a broken suite does not hide a really missing one', { 'evals/inv.yaml': broken, 'automations/inv.yaml': AUTOMATION.replace('evals: [inv]', 'evals: [inv, other]') }, [/invalid YAML/, /^automations\/inv.yaml:6:14 error evals\[1\]: unknown eval suite "other"/]],
  ])('%s', (_name, over, expected) => {
    const got = build(over);
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(got[i]).toMatch(e));
  });

  it('an unreadable file reported by the reader stops references to it too', () => {
    const raw: RawFile[] = [
      { path: 'aigov.yaml', text: CONFIG },
      { path: 'prompts/inv.yaml', problem: { severity: 'error', code: 'E_FILE_UNREADABLE', file: 'prompts/inv.yaml', message: 'is a folder, not a file' } },
      { path: 'evals/inv.yaml', text: SUITE },
      { path: 'automations/inv.yaml', text: AUTOMATION },
    ];
    expect(buildWorkspace('/ws', raw).problems.map(formatProblem)).toEqual(['prompts/inv.yaml error E_FILE_UNREADABLE: is a folder, not a file']);
  });

  it('so does a folder that cannot be listed', () => {
    const raw: RawFile[] = [
      { path: 'prompts', problem: { severity: 'error', code: 'E_FILE_UNREADABLE', file: 'prompts', message: 'is a file, not a folder: its prompts cannot be read' } },
      { path: 'aigov.yaml', text: CONFIG },
      { path: 'evals/inv.yaml', text: SUITE },
      { path: 'automations/inv.yaml', text: AUTOMATION },
    ];
    expect(buildWorkspace('/ws', raw).problems.map(formatProblem)).toEqual(['prompts error E_FILE_UNREADABLE: is a file, not a folder: its prompts cannot be read']);
  });
});
