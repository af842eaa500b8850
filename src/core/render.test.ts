import { describe, expect, it } from 'vitest';
import { confidenceSamples, renderRequest, schemaName } from './render.js';
import type { Prompt } from './workspace/schemas.js';

const base: Prompt = {
  id: 'ticket.extractor',
  version: 1,
  model: 'fast',
  params: { temperature: 0, max_tokens: 50 },
  messages: [
    { role: 'system', content: 'Extract the fields.' },
    { role: 'user', content: 'From: {{sender}}\n\n{{body}}' },
  ],
  vars: { sender: { type: 'string', required: true }, body: { type: 'string', required: true } },
  output: { type: 'text', confidence: 'none' },
};
const schema = { type: 'object', required: ['category'] };
const vars = { sender: 'ann@example.com', body: 'Charged twice. {{not a var}}' };
const rendered = [
  { role: 'system', content: 'Extract the fields.' },
  { role: 'user', content: 'From: ann@example.com\n\nCharged twice. {{not a var}}' },
];

describe('renderRequest', () => {
  it.each([
    ['text', { type: 'text', confidence: 'none' }, {}],
    ['json without a schema', { type: 'json', confidence: 'none' }, { json: true }],
    ['json with a schema', { type: 'json', schema, confidence: 'none' }, { json: true, schema: { name: 'ticket_extractor', schema } }],
    ['a schema on a text prompt is not sent', { type: 'text', schema, confidence: 'none' }, {}],
    ['logprobs', { type: 'text', confidence: 'logprobs' }, { logprobs: true }],
  ] as const)('%s: exactly the prompt\'s messages, and the output asked for by parameters', (_n, output, extra) => {
    const request = renderRequest({ ...base, output: output as Prompt['output'] }, vars);
    expect(request).toEqual({ messages: rendered, params: base.params, ...extra });
  });
});

describe('schemaName', () => {
  it.each([
    ['ticket_extractor', 'ticket_extractor'],
    ['ticket.extractor-v2', 'ticket_extractor-v2'],
    ['x'.repeat(80), 'x'.repeat(64)],
  ])('%s', (id, name) => expect(schemaName(id)).toBe(name));
});

describe('confidenceSamples', () => {
  it.each([
    ['samples:5', 5],
    ['logprobs', 1],
    ['none', 1],
  ])('%s', (confidence, n) => expect(confidenceSamples({ ...base, output: { type: 'text', confidence } })).toBe(n));
});
