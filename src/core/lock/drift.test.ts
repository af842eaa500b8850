import { describe, expect, it } from 'vitest';
import { describeDrift, lockDrift } from './drift.js';
import { promptHash } from './prompt-hash.js';
import type { Config, Lockfile, Prompt } from '../workspace/schemas.js';

const config: Config = { version: 1, models: { fast: 'openai:gpt-4o-mini' } };
const prompt: Prompt = {
  id: 'p',
  version: 2,
  model: 'fast',
  params: {},
  messages: [{ role: 'user', content: 'hi {{x}}' }],
  vars: { x: { type: 'string', required: true } },
  output: { type: 'text', confidence: 'none' },
};
const model = { requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18', served: 'gpt-4o-mini-2024-07-18', pinnedAt: 't', pinnedBy: 'me' };
const ledger = { bot: { tier: 2 as const, since: 't', by: 'me', event: null } };
const lock = (over: Partial<Lockfile> = {}): Lockfile => ({ lockfileVersion: 2, models: { fast: model }, prompts: { p: { version: 2, sha256: promptHash(prompt) } }, automations: ledger, ...over });
const edited: Prompt = { ...prompt, messages: [{ role: 'user', content: 'hello {{x}}' }] };
const bot = (tier: 1 | 2 | 3) => new Map([['bot', { tier }]]);

describe('lockDrift', () => {
  it.each([
    ['current', config, prompt, lock(), bot(2), []],
    ['no lock', config, prompt, undefined, bot(2), ['no_lock']],
    ['model not locked', { ...config, models: { ...config.models, slow: 'openai:gpt-4o' } }, prompt, lock(), bot(2), ['model_unlocked']],
    ['model request changed', { ...config, models: { fast: 'openai:gpt-4o' } }, prompt, lock(), bot(2), ['model_stale']],
    ['prompt edited without bump', config, edited, lock(), bot(2), ['prompt_edited']],
    ['prompt bumped, lock not updated', config, { ...edited, version: 3 }, lock(), bot(2), ['prompt_bumped']],
    ['prompt older than lock', config, { ...prompt, version: 1 }, lock(), bot(2), ['prompt_behind']],
    ['description only: no bump needed', config, { ...prompt, description: 'new words' }, lock(), bot(2), []],
    ['version bump only', config, { ...prompt, version: 3 }, lock(), bot(2), ['prompt_bumped']],
    ['served never recorded (a version 1 lock)', config, prompt, lock({ models: { fast: { ...model, served: undefined } } }), bot(2), ['model_unserved']],
    ['served is null: the API reports no model, which is a record too', config, prompt, lock({ models: { fast: { ...model, served: null } } }), bot(2), []],
    ['tier raised by hand', config, prompt, lock(), bot(3), ['tier_raised']],
    ['tier lowered by hand: takes effect, no drift', config, prompt, lock(), bot(1), []],
    ['automation not in the ledger', config, prompt, lock({ automations: {} }), bot(1), ['automation_unlocked']],
    ['a version 1 lock has no ledger', config, prompt, lock({ lockfileVersion: 1, automations: undefined }), bot(1), ['automation_unlocked']],
  ] as const)('%s', (_n, c, p, l, automations, kinds) => {
    expect(lockDrift(c as Config, new Map([['p', p as Prompt]]), l as Lockfile | undefined, automations).map((d) => d.kind)).toEqual(kinds);
  });

  it('names the version to bump to', () => {
    expect(lockDrift(config, new Map([['p', edited]]), lock())).toEqual([{ kind: 'prompt_edited', prompt: 'p', version: 2, bumpTo: 3 }]);
  });

  it('says what a raised tier means and how to fix it', () => {
    const [d] = lockDrift(config, new Map([['p', prompt]]), lock(), bot(3));
    expect(describeDrift(d)).toEqual({
      file: 'automations/bot.yaml',
      message: 'automation "bot" says tier 3 but aigov.lock records tier 2: a tier is raised only through `aigov promote`, so runs get tier 2',
      hint: 'run `aigov promote bot`, or set tier: 2 back',
    });
  });

  it('for a tier more than one above the lock’s, names the forced adoption too', () => {
    const [d] = lockDrift(config, new Map([['p', prompt]]), lock({ automations: { bot: { tier: 1, since: 'T', by: 'ops', event: null } } }), bot(3));
    expect(describeDrift(d).hint).toBe('run `aigov promote bot` a tier at a time, or adopt it at tier 3 with `aigov promote bot --to 3 --force --reason "…"`; or set tier: 1 back');
  });

  it('asks to pin where served is missing, without re-resolving', () => {
    const [d] = lockDrift(config, new Map([['p', prompt]]), lock({ models: { fast: { ...model, served: undefined } } }), bot(2));
    expect(describeDrift(d)).toMatchObject({ file: 'aigov.lock', message: expect.stringContaining('model "fast" (openai:gpt-4o-mini-2024-07-18) has no `served`'), hint: expect.stringContaining('aigov pin') });
  });
});
