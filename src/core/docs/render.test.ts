import { describe, expect, it } from 'vitest';
import { AigovError } from '../../errors.js';
import { buildWorkspace } from '../workspace/build.js';
import type { Workspace } from '../workspace/workspace.js';
import { promptHash } from '../lock/prompt-hash.js';
import { pageInputs } from './page-input.js';
import { renderDocs } from './render.js';

const CONFIG = 'version: 1\nmodels:\n  fast: openai:gpt-4o-mini\n';
const PROMPT = 'id: inv\nversion: 2\nmodel: fast\nmessages:\n  - role: user\n    content: hi\n';
const SUITE = 'suite: inv\nprompt: inv\ncases:\n  - id: a\n    expect: x\n  - id: b\n    expect: y\n';
const automation = (id: string) => `id: ${id}\nname: ${id}\nowner: o@example.com\ntier: 1\nprompt: inv\nevals: [inv]\n`;

function workspace(files: Record<string, string>): Workspace {
  return buildWorkspace('/ws', Object.entries({ 'aigov.yaml': CONFIG, 'prompts/inv.yaml': PROMPT, 'evals/inv.yaml': SUITE, ...files }).map(([path, text]) => ({ path, text })));
}

describe('renderDocs', () => {
  it('writes one page per automation in code-point order, then the index', () => {
    const ws = workspace({ 'automations/b.yaml': automation('b'), 'automations/B2.yaml': automation('B2'), 'automations/a.yaml': automation('a') });
    expect(renderDocs(ws).map((p) => [p.path, p.automation])).toEqual([
      ['docs/automations/B2.md', 'B2'],
      ['docs/automations/a.md', 'a'],
      ['docs/automations/b.md', 'b'],
      ['docs/automations/README.md', undefined],
    ]);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['an automation named like the index', { 'automations/readme.yaml': automation('readme') }, /automation "readme" would get the page docs\/automations\/readme.md, which is also the index's/],
    ['two ids that differ only in case', { 'automations/Inv.yaml': automation('Inv'), 'automations/inv.yaml': automation('inv') }, /automation "inv" would get the page docs\/automations\/inv.md, which is also "Inv"'s/],
  ])('refuses %s', (_name, files, message) => {
    let err: unknown;
    try {
      renderDocs(workspace(files));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AigovError);
    expect((err as AigovError).code).toBe('E_DOCS_NAME_CLASH');
    expect((err as AigovError).message).toMatch(message);
    expect((err as AigovError).exitCode).toBe(2);
  });
});

describe('pageInputs', () => {
  const lock = `lockfileVersion: 1
models:
  fast: { requested: "openai:gpt-4o-mini", resolved: "openai:gpt-4o-mini-2024-07-18", pinnedAt: "2026-01-01T00:00:00Z", pinnedBy: j }
prompts:
  inv: { version: 2, sha256: ${'c'.repeat(64)} }
`;

  it('gathers the prompt, the pin, the suites and what the lock records', () => {
    const ws = workspace({ 'automations/inv.yaml': automation('inv'), 'aigov.lock': lock });
    const [p] = pageInputs(ws);
    expect(p.file).toBe('automations/inv.yaml');
    expect(p.prompt).toEqual({ version: 2, sha256: promptHash(ws.prompts.get('inv')!.value), description: undefined, model: 'fast' });
    expect(p.model).toEqual({ name: 'fast', requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18', served: undefined });
    expect(p.lockedPrompt).toEqual({ version: 2, sha256: 'c'.repeat(64) });
    expect(p.suites).toEqual([{ suite: 'inv', cases: 2, repeat: 1, passRate: 1 }]);
    expect(p.ledger).toBeUndefined();
    expect(p.locked).toBe(true);
  });

  it('reads `served` and the `automations` ledger where the lock has them', () => {
    const ws = workspace({ 'automations/inv.yaml': automation('inv'), 'aigov.lock': lock });
    const value = ws.lock!.value as unknown as Record<string, Record<string, unknown>>;
    (value.models.fast as Record<string, unknown>).served = 'gpt-4o-mini-2024-07-18';
    value.automations = { inv: { tier: 1, since: '2026-02-01T00:00:00Z', by: 'j', event: 'e1' } };
    const [p] = pageInputs(ws);
    expect(p.model?.served).toBe('gpt-4o-mini-2024-07-18');
    expect(p.ledger).toEqual({ tier: 1, since: '2026-02-01T00:00:00Z', by: 'j', event: 'e1' });
  });

  it('works without a lock, and without the prompt or suite it names', () => {
    const ws = workspace({ 'automations/inv.yaml': automation('inv').replace('prompt: inv', 'prompt: gone').replace('[inv]', '[inv, nope]') });
    const [p] = pageInputs(ws);
    expect(p.locked).toBe(false);
    expect(p.prompt).toBeUndefined();
    expect(p.model).toBeUndefined();
    expect(p.suites).toEqual([{ suite: 'inv', cases: 2, repeat: 1, passRate: 1 }, { suite: 'nope' }]);
  });
});
