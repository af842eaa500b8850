import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ProviderError, UsageError } from '../errors.js';
import { createCassettes, DEFAULT_HEADER, fixturesDir, parseCassette, renderCassette, type Recording } from './cassette.js';
import { requestKey } from './request-key.js';
import type { ModelRequest, ModelResponse } from './types.js';

const MODEL = 'gpt-4o-mini-2024-07-18';
const REQUEST: ModelRequest = {
  messages: [
    { role: 'system', content: 'Answer with one word:\nutilities, travel or other.' },
    { role: 'user', content: 'Invoice: ACME Power' },
  ],
  params: { temperature: 0, max_tokens: 20 },
  logprobs: true,
};
const response = (text: string): ModelResponse => ({ text, modelReturned: MODEL, systemFingerprint: 'fp_1', tokens: { input: 9, output: 1 }, latencyMs: 40, logprobs: [{ token: text, logprob: -0.01 }] });
const recording = (sample: number, text: string, request: ModelRequest = REQUEST): Recording => ({
  key: requestKey('openai', MODEL, request, sample),
  provider: 'openai',
  model: MODEL,
  sample,
  request,
  response: response(text),
});
const wanted = (sample: number) => ({ group: 'invoice_classifier', provider: 'openai', model: MODEL, sample });

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aigov-cassette-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('cassettes', () => {
  it('records, writes one sorted file per group, and replays from it', async () => {
    const recorder = createCassettes(root);
    const recs = [recording(0, 'utilities'), recording(1, 'travel'), recording(2, 'other')];
    for (const r of recs) recorder.record('invoice_classifier', r);
    recorder.record('judge', recording(0, 'PASS', { ...REQUEST, logprobs: false }));
    const written = await recorder.flush();
    expect(written.map((p) => p.slice(fixturesDir(root).length + 1))).toEqual(['invoice_classifier.yaml', 'judge.yaml']);

    const text = readFileSync(join(fixturesDir(root), 'invoice_classifier.yaml'), 'utf8');
    expect(text.startsWith(`${DEFAULT_HEADER}\nversion: 1\nrecordings:\n`)).toBe(true);
    expect(text).not.toMatch(/[&*]a\d/); // the shared request object is written out, not aliased
    expect(text).toContain('utilities, travel or other.');
    const keys = (parse(text) as { recordings: { key: string }[] }).recordings.map((r) => r.key);
    expect(keys).toEqual([...keys].sort());

    const player = createCassettes(root);
    for (const r of recs) expect(await player.find(r.key, wanted(r.sample))).toEqual(r.response);
  });

  it('names the group, provider, model and sample of a missing recording', async () => {
    const err = (await createCassettes(root).find('f'.repeat(64), wanted(3)).catch((e: unknown) => e)) as ProviderError;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.kind).toBe('no_recording');
    expect(err.message).toBe(`no recording for prompt "invoice_classifier" (openai ${MODEL}, sample 3) in fixtures/invoice_classifier.yaml`);
    expect(err.hint).toMatch(/aigov eval --record/);
    const judge = (await createCassettes(root).find('f'.repeat(64), { ...wanted(0), group: 'judge' }).catch((e: unknown) => e)) as ProviderError;
    expect(judge.message).toMatch(/^no recording for judge call /);
  });

  it('merges into an existing file: replaces by key, keeps the rest and the leading comments', async () => {
    const kept = recording(5, 'kept');
    const old = recording(0, 'old answer');
    const header = '# yaml-language-server: $schema=none\n# Hand note: keep me.';
    mkdirSync(fixturesDir(root), { recursive: true });
    writeFileSync(join(fixturesDir(root), 'invoice_classifier.yaml'), renderCassette([kept, old], header));

    const recorder = createCassettes(root);
    recorder.record('invoice_classifier', recording(0, 'new answer'));
    await recorder.flush();

    const text = readFileSync(join(fixturesDir(root), 'invoice_classifier.yaml'), 'utf8');
    expect(text.startsWith(`${header}\nversion: 1\n`)).toBe(true);
    const recs = parseCassette('fixtures/invoice_classifier.yaml', text);
    expect(recs.map((r) => r.response.text).sort()).toEqual(['kept', 'new answer']);
    expect(recs).toContainEqual(kept);
  });

  it('loads the fixture files once, on the first lookup', async () => {
    const r = recording(0, 'utilities');
    mkdirSync(fixturesDir(root), { recursive: true });
    const player = createCassettes(root);
    writeFileSync(join(fixturesDir(root), 'invoice_classifier.yaml'), renderCassette([r]));
    expect(await player.find(r.key, wanted(0))).toEqual(r.response);
    rmSync(fixturesDir(root), { recursive: true });
    expect(await player.find(r.key, wanted(0))).toEqual(r.response);
  });

  const broken: { name: string; text: string; message: RegExp }[] = [
    { name: 'invalid YAML', text: 'version: 1\nrecordings: [\n', message: /^fixtures\/bad\.yaml:\d+:\d+ invalid YAML/ },
    { name: 'a wrong version', text: 'version: 2\nrecordings: []\n', message: /^fixtures\/bad\.yaml:1:10 is not a fixture file: version: / },
    {
      name: 'a wrong field type',
      text: `version: 1\nrecordings:\n  - key: ${'a'.repeat(64)}\n    provider: openai\n    model: m\n    sample: first\n    request: { messages: [], params: {} }\n    response: { text: x, modelReturned: null, systemFingerprint: null, tokens: { input: 0, output: 0 }, latencyMs: 0 }\n`,
      message: /^fixtures\/bad\.yaml:6:13 is not a fixture file: recordings\[0\]\.sample: /,
    },
    { name: 'not a mapping', text: '- just\n- a list\n', message: /^fixtures\/bad\.yaml:1:1 is not a fixture file/ },
  ];
  it.each(broken)('a file with $name is a UsageError naming file, line and column', async ({ text, message }) => {
    mkdirSync(fixturesDir(root), { recursive: true });
    writeFileSync(join(fixturesDir(root), 'bad.yaml'), text);
    const err = (await createCassettes(root).find('f'.repeat(64), wanted(0)).catch((e: unknown) => e)) as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(message);
    expect(err.location?.file).toBe('fixtures/bad.yaml');
  });

  it('refuses a group that is not a plain file name', () => {
    expect(() => createCassettes(root).record('../escape', recording(0, 'x'))).toThrow(UsageError);
  });

  it('flushing with nothing recorded writes nothing', async () => {
    expect(await createCassettes(root).flush()).toEqual([]);
  });
});
