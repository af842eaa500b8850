import { describe, expect, it } from 'vitest';
import { lockDrift } from './drift.js';
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
const model = { requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18', pinnedAt: 't', pinnedBy: 'me' };
const lock = (over: Partial<Lockfile> = {}): Lockfile => ({ lockfileVersion: 1, models: { fast: model }, prompts: { p: { version: 2, sha256: promptHash(prompt) } }, ...over });
const edited: Prompt = { ...prompt, messages: [{ role: 'user', content: 'hello {{x}}' }] };

describe('lockDrift', () => {
  it.each([
    ['current', config, prompt, lock(), []],
    ['no lock', config, prompt, undefined, ['no_lock']],
    ['model not locked', { ...config, models: { ...config.models, slow: 'openai:gpt-4o' } }, prompt, lock(), ['model_unlocked']],
    ['model request changed', { ...config, models: { fast: 'openai:gpt-4o' } }, prompt, lock(), ['model_stale']],
    ['prompt edited without bump', config, edited, lock(), ['prompt_edited']],
    ['prompt bumped, lock not updated', config, { ...edited, version: 3 }, lock(), ['prompt_bumped']],
    ['prompt older than lock', config, { ...prompt, version: 1 }, lock(), ['prompt_behind']],
    ['description only: no bump needed', config, { ...prompt, description: 'new words' }, lock(), []],
    ['version bump only', config, { ...prompt, version: 3 }, lock(), ['prompt_bumped']],
  ] as const)('%s', (_n, c, p, l, kinds) => {
    expect(lockDrift(c as Config, new Map([['p', p as Prompt]]), l as Lockfile | undefined).map((d) => d.kind)).toEqual(kinds);
  });

  it('names the version to bump to', () => {
    expect(lockDrift(config, new Map([['p', edited]]), lock())).toEqual([{ kind: 'prompt_edited', prompt: 'p', version: 2, bumpTo: 3 }]);
  });
});
