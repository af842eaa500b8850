// Schema messages that say what the file should hold, where zod alone says "Invalid input".
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../errors.js';
import { buildWorkspace } from './build.js';

const CONFIG = 'version: 1\nmodels:\n  fast: openai:gpt-4o-mini\n';
const PROMPT = 'id: inv\nversion: 1\nmodel: fast\nmessages:\n  - role: user\n    content: "{{text}}"\nvars:\n  text: { type: string }\n';
const suite = (vars: string): string => `suite: inv\nprompt: inv\ncases:\n  - id: a\n    vars: ${vars}\n    expect: x\n`;
const automation = (tier: string): string => `id: inv\nname: Invoices\nowner: jane@example.com\n${tier}prompt: inv\n`;

function errors(over: Record<string, string>): string[] {
  const files = { 'aigov.yaml': CONFIG, 'prompts/inv.yaml': PROMPT, 'evals/inv.yaml': suite('{ text: a }'), 'automations/inv.yaml': automation('tier: 1\n'), ...over };
  return buildWorkspace('/ws', Object.entries(files).map(([path, text]) => ({ path, text })))
    .problems.filter((p) => p.severity === 'error')
    .map(formatProblem);
}

describe('schema messages', () => {
  it.each([
    ['tier 4', { 'automations/inv.yaml': automation('tier: 4\n') }, 'automations/inv.yaml:4:7 error tier: expected 1, 2 or 3, got 4'],
    ['tier as a string', { 'automations/inv.yaml': automation('tier: "2"\n') }, 'automations/inv.yaml:4:7 error tier: expected 1, 2 or 3, got "2"'],
    ['tier missing', { 'automations/inv.yaml': automation('') }, 'automations/inv.yaml:1:1 error tier: required: expected 1, 2 or 3'],
    ['vars as a list of mappings', { 'evals/inv.yaml': suite('\n      - text: a') }, /^evals\/inv.yaml:6:7 error cases\[0\].vars: vars is a mapping of variable name to value, e.g. vars: \{ text: "..." \}; got a list$/],
    ['vars as a flow list', { 'evals/inv.yaml': suite('[a, b]') }, /^evals\/inv.yaml:5:11 error cases\[0\].vars: vars is a mapping of variable name to value.*; got a list$/],
    ['vars as a string', { 'evals/inv.yaml': suite('text=a') }, /error cases\[0\].vars: vars is a mapping of variable name to value.*; got "text=a"$/],
    ['an audit sample over 1', { 'automations/inv.yaml': automation('tier: 2\nreview: { cadence: monthly, sample: 2 }\n') }, 'automations/inv.yaml:5:37 error review.sample: expected a share of runs from 0 to 1, e.g. 0.02 (not a percentage)'],
    ['a negative audit sample', { 'automations/inv.yaml': automation('tier: 2\nreview:\n  sample: -0.1\n') }, 'automations/inv.yaml:6:11 error review.sample: expected a share of runs from 0 to 1, e.g. 0.02'],
    ['an audit sample as text', { 'automations/inv.yaml': automation('tier: 2\nreview: { sample: 2% }\n') }, 'automations/inv.yaml:5:19 error review.sample: expected a share of runs from 0 to 1, e.g. 0.02'],
    ['a var holding a mapping', { 'evals/inv.yaml': suite('{ text: { a: 1 } }') }, /^evals\/inv.yaml:5:19 error cases\[0\].vars.text: expected a string, number or boolean, got a mapping$/],
  ])('%s', (_name, over, expected) => {
    const got = errors(over);
    expect(got).toHaveLength(1);
    if (typeof expected === 'string') expect(got[0]).toBe(expected);
    else expect(got[0]).toMatch(expected);
  });
});
