import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { aigov } from '../support/cli.js';
import { automationYaml, classifierFiles, tempWorkspace } from '../support/workspace.js';

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
});
function ws(files: Record<string, string> = {}) {
  const w = tempWorkspace({
    ...classifierFiles(),
    'automations/inv.yaml': automationYaml(
      'inv',
      1,
      'inv',
      'evals: [inv]\n' +
        'governance:\n  purpose: Files invoices.\n  data: Invoice text.\n  decisions: { autonomous: Nothing., humanReview: Every run. }\n  testing: The inv suite.\n  monitoring: The dashboard.\n  overrideProcess: A clerk overrides.\n  limitations: One category.\n',
    ),
    ...files,
  });
  cleanup.push(w.cleanup);
  return w;
}
const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');

describe('aigov docs', () => {
  it('a file where docs/automations should be: exit 2 saying the path runs through a file, not "already exists"', async () => {
    const w = ws({ 'docs/automations': 'notes\n' });
    const r = await aigov(['docs'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error E_FILE_UNWRITABLE: \S*docs\/automations\/\S+\.md: a part of its path is a file, not a folder$/m);
    expect(r.stderr).not.toMatch(/already exists|internal error/);
    expect(read(w.root, 'docs/automations')).toBe('notes\n');
  });

  it('--check fails naming each missing page and writes nothing; docs writes them; --check then passes', async () => {
    const w = ws();
    const before = await aigov(['docs', '--check'], { cwd: w.root });
    expect(before.exitCode).toBe(1);
    expect(before.stderr).toContain('missing docs/automations/inv.md: not written yet');
    expect(before.stderr).toContain('missing docs/automations/README.md: not written yet');
    expect(existsSync(join(w.root, 'docs'))).toBe(false);

    const write = await aigov(['docs'], { cwd: w.root });
    expect(write.exitCode).toBe(0);
    expect(write.stderr).toContain('wrote docs/automations/inv.md');
    expect(read(w.root, 'docs/automations/inv.md')).toContain('## 1. What it does\n\nFiles invoices.');
    expect(read(w.root, 'docs/automations/README.md')).toContain('[inv](inv.md)');

    const after = await aigov(['docs', '--check'], { cwd: w.root });
    expect(after.exitCode).toBe(0);
    expect(after.stderr).toContain('ok: 2 governance pages are current');
  });

  it.each<[string, (root: string) => [string, string], string[]]>([
    ['an edited governance answer', (root) => ['automations/inv.yaml', read(root, 'automations/inv.yaml').replace('Files invoices.', 'Files supplier invoices.')], ['docs/automations/inv.md']],
    ['an edited prompt (its hash is on the page)', (root) => ['prompts/inv.yaml', read(root, 'prompts/inv.yaml').replace('One word.', 'One word only.')], ['docs/automations/inv.md']],
    ['a renamed automation (its name is in the index too)', (root) => ['automations/inv.yaml', read(root, 'automations/inv.yaml').replace('name: inv', 'name: Invoices')], ['docs/automations/inv.md', 'docs/automations/README.md']],
    ['a new pin in the lock', (root) => ['aigov.lock', read(root, 'aigov.lock').replace(/resolved: openai:\S+/, 'resolved: openai:gpt-4o-mini-2025-01-01')], ['docs/automations/inv.md', 'docs/automations/README.md']],
  ])('--check fails naming the stale page after %s, and passes after `aigov docs`', async (_name, edit, stale) => {
    const w = ws({ 'aigov.lock': lockFor() });
    expect((await aigov(['docs'], { cwd: w.root })).exitCode).toBe(0);
    w.write(...edit(w.root));
    const r = await aigov(['docs', '--check'], { cwd: w.root });
    expect(r.exitCode).toBe(1);
    const named = r.stderr.split('\n').filter((l) => l.startsWith('stale ')).map((l) => l.split(' ')[1].replace(/:$/, ''));
    expect(named).toEqual(stale);
    expect(r.stderr).toContain('need `aigov docs`');
    expect((await aigov(['docs'], { cwd: w.root })).exitCode).toBe(0);
    expect((await aigov(['docs', '--check'], { cwd: w.root })).exitCode).toBe(0);
  });

  it('names a page left over from a removed automation, removes it, and leaves files it did not write alone', async () => {
    const w = ws({ 'automations/old.yaml': automationYaml('old', 1, 'inv') });
    expect((await aigov(['docs'], { cwd: w.root })).exitCode).toBe(0);
    rmSync(join(w.root, 'automations/old.yaml'));
    w.write('docs/automations/notes.md', '# Our own notes\n');

    const r = await aigov(['docs', '--check', '--json'], { cwd: w.root });
    expect(r.exitCode).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.pages).toEqual([
      { path: 'docs/automations/inv.md', status: 'current', automation: 'inv' },
      { path: 'docs/automations/README.md', status: 'stale' },
      { path: 'docs/automations/old.md', status: 'extra' },
    ]);
    const text = await aigov(['docs', '--check'], { cwd: w.root });
    expect(text.stderr).toContain('extra docs/automations/old.md: left over: no automation renders to it (`aigov docs` removes it)');
    expect(text.stderr).not.toContain('notes.md');

    const write = await aigov(['docs', '--json'], { cwd: w.root });
    expect(write.exitCode).toBe(0);
    expect(JSON.parse(write.stdout)).toEqual({ written: ['docs/automations/README.md'], removed: ['docs/automations/old.md'], unchanged: ['docs/automations/inv.md'] });
    expect(readdirSync(join(w.root, 'docs/automations')).sort()).toEqual(['README.md', 'inv.md', 'notes.md']);
    expect((await aigov(['docs', '--check'], { cwd: w.root })).exitCode).toBe(0);
  });

  it('writes the same bytes in any folder, time zone and locale', async () => {
    const a = ws({ 'aigov.lock': lockFor() });
    const b = ws({ 'aigov.lock': lockFor() });
    await aigov(['docs'], { cwd: a.root, env: { TZ: 'Pacific/Kiritimati', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' } });
    await aigov(['docs'], { cwd: b.root, env: { TZ: 'America/Adak', LANG: 'C' } });
    for (const page of ['inv.md', 'README.md']) expect(read(a.root, `docs/automations/${page}`)).toBe(read(b.root, `docs/automations/${page}`));
    expect((await aigov(['docs', '--check'], { cwd: a.root, env: { TZ: 'Asia/Kolkata' } })).exitCode).toBe(0);
  });

  it('refuses a workspace with errors, exit 2, writing nothing', async () => {
    const w = ws({ 'prompts/inv.yaml': 'id: [inv\n' });
    const r = await aigov(['docs'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/prompts\/inv.yaml:\d+:\d+ error invalid YAML/);
    expect(existsSync(join(w.root, 'docs'))).toBe(false);
  });

  it('refuses an automation whose page would be the index', async () => {
    const w = ws({ 'automations/README.yaml': automationYaml('README', 1, 'inv') });
    const r = await aigov(['docs'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('automations/README.yaml error E_DOCS_NAME_CLASH: automation "README" would get the page docs/automations/README.md, which is also the index\'s');
    expect(existsSync(join(w.root, 'docs'))).toBe(false);
  });

  it("keeps this repository's own pages current", async () => {
    const repo = fileURLToPath(new URL('../..', import.meta.url));
    const r = await aigov(['docs', '--check'], { cwd: repo });
    expect(r.stderr).toBe('ok: 4 governance pages are current');
    expect(r.exitCode).toBe(0);
  });
});

describe('aigov validate on governance answers', () => {
  it('warns about every answer `aigov init` left as its example text, and about a blank one', async () => {
    const w = ws();
    w.write('automations/inv.yaml', read(w.root, 'automations/inv.yaml').replace('testing: The inv suite.', 'testing: "  "'));
    const fresh = tempWorkspace({});
    cleanup.push(fresh.cleanup);
    expect((await aigov(['init'], { cwd: fresh.root })).exitCode).toBe(0);
    const init = await aigov(['validate'], { cwd: fresh.root });
    expect(init.exitCode).toBe(0);
    expect(init.stderr.split('\n').filter((l) => l.includes('still the example text `aigov init` wrote'))).toHaveLength(8);
    expect(init.stderr).toMatch(/^automations\/sentiment\.yaml:\d+:\d+ warning governance\.purpose: the answer is still the example text/m);

    const blank = await aigov(['validate'], { cwd: w.root });
    expect(blank.exitCode).toBe(0);
    expect(blank.stderr).toMatch(/^automations\/inv\.yaml:\d+:\d+ warning governance\.testing: the answer is blank/m);
  });
});

/** A v1 lock for the classifier workspace, as `aigov pin` writes it. */
function lockFor(): string {
  return `lockfileVersion: 1
models:
  fast:
    requested: openai:gpt-4o-mini
    resolved: openai:gpt-4o-mini-2024-07-18
    pinnedAt: 2026-01-01T00:00:00Z
    pinnedBy: t@example.com
prompts: {}
`;
}
