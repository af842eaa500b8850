import { describe, expect, it } from 'vitest';
import { promptHash } from '../lock/prompt-hash.js';
import { schemas, type Prompt } from '../workspace/schemas.js';
import { diffPrompts, messagesText, type PromptModel } from './diff.js';

const base: Prompt = schemas().promptSchema.parse({
  id: 'inv',
  version: 1,
  model: 'fast',
  params: { temperature: 0 },
  messages: [
    { role: 'system', content: 'Answer with one word.\nNo punctuation.\n' },
    { role: 'user', content: 'Invoice:\n{{text}}' },
  ],
  vars: { text: { type: 'string' } },
});
const pin: PromptModel = { name: 'fast', requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18' };
const side = (p: Prompt, model: PromptModel = pin) => ({ prompt: p, sha256: promptHash(p), model });
const edit = (over: Partial<Prompt>): Prompt => ({ ...base, ...over });

describe('diffPrompts', () => {
  it('the same prompt: nothing differs', () => {
    const d = diffPrompts(side(base), side(structuredClone(base)));
    expect(d).toMatchObject({ same: true, contentChanged: false, notBumped: false, messages: { changed: false, hunks: [] }, params: [], output: [], vars: [], description: null, model: { changed: false } });
  });

  it('a reworded message is a line diff, its role line as context', () => {
    const after = edit({ version: 2, messages: [base.messages[0], { role: 'user', content: 'Bill:\n{{text}}' }] });
    const d = diffPrompts(side(base), side(after));
    expect(d).toMatchObject({ same: false, contentChanged: true, notBumped: false, version: { from: 1, to: 2 } });
    // Three lines of context: the system line is out of it.
    expect(d.messages.hunks).toEqual([{ oldStart: 2, oldLines: 5, newStart: 2, newLines: 5, lines: [' Answer with one word.', ' No punctuation.', ' [user]', '-Invoice:', '+Bill:', ' {{text}}'] }]);
  });

  it('params, output and vars as structural changes; a content change at the same version is not bumped', () => {
    const after = edit({ params: { temperature: 0.2, max_tokens: 5 }, output: { type: 'json', confidence: 'none', schema: { type: 'object' } }, vars: { text: { type: 'string', required: false } } });
    const d = diffPrompts(side(base), side(after));
    expect(d.notBumped).toBe(true);
    expect(d.messages.changed).toBe(false);
    expect(d.params).toEqual([
      { path: '/max_tokens', kind: 'added', to: 5 },
      { path: '/temperature', kind: 'changed', from: 0, to: 0.2 },
    ]);
    expect(d.output).toEqual([
      { path: '/schema', kind: 'added', to: { type: 'object' } },
      { path: '/type', kind: 'changed', from: 'text', to: 'json' },
    ]);
    expect(d.vars).toEqual([{ path: '/text/required', kind: 'changed', from: true, to: false }]);
  });

  it('a new pin of the same logical model changes behaviour without changing the content', () => {
    const d = diffPrompts(side(base), side(base, { ...pin, resolved: 'openai:gpt-4o-mini-2025-01-01' }));
    expect(d).toMatchObject({ same: false, contentChanged: false, notBumped: false, model: { changed: true, from: pin, to: { resolved: 'openai:gpt-4o-mini-2025-01-01' } } });
  });

  it('a description is shown but is no content change', () => {
    const d = diffPrompts(side(base), side(edit({ description: 'Classify.' })));
    expect(d).toMatchObject({ same: true, contentChanged: false, description: { from: null, to: 'Classify.' } });
  });
});

describe('messagesText', () => {
  it('one [role] line per message, then its lines, one trailing newline dropped', () => {
    expect(messagesText(base)).toBe('[system]\nAnswer with one word.\nNo punctuation.\n[user]\nInvoice:\n{{text}}\n');
  });
});
