// `aigov init` as a new user meets it, through the built binary.
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aigov } from '../support/cli.js';
import { tempWorkspace } from '../support/workspace.js';

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
});

function folder(files: Record<string, string> = {}) {
  const w = tempWorkspace(files);
  cleanup.push(w.cleanup);
  return w;
}

const SCAFFOLDED = ['aigov.yaml', 'prompts/sentiment.yaml', 'evals/sentiment.yaml', 'automations/sentiment.yaml'];

describe('aigov init', () => {
  it('scaffolds a workspace that validates, ignores .aigov/ and .env, and says how to use a local server', async () => {
    const w = folder();
    const r = await aigov(['init'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    for (const f of SCAFFOLDED) expect(existsSync(join(w.root, f))).toBe(true);
    expect(readFileSync(join(w.root, '.gitignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['.aigov/', '.env']));
    const config = readFileSync(join(w.root, 'aigov.yaml'), 'utf8');
    expect(config).toMatch(/^providers:\n {2}# /m);
    expect(config).toContain('#   openai: { baseURL: http://127.0.0.1:8080/v1, apiKeyEnv: OPENAI_API_KEY }');
    expect(r.stderr).toContain('providers.openai.baseURL');
    expect(r.stderr).toMatch(/local\s+server still needs OPENAI_API_KEY set, to any dummy value/);
    expect((await aigov(['validate'], { cwd: w.root })).exitCode).toBe(0);
  });

  it('scaffolds into a named folder that does not exist yet, and reports in JSON', async () => {
    const w = folder();
    const r = await aigov(['init', 'new/ws', '--json'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ root: join(w.root, 'new/ws'), files: [...SCAFFOLDED, '.gitignore'], replaced: [], gitignore: 'created' });
  });

  it('never overwrites a file: it names every one that exists and writes nothing (exit 2)', async () => {
    const w = folder({ 'prompts/sentiment.yaml': 'mine\n', 'evals/sentiment.yaml': 'also mine\n' });
    const r = await aigov(['init'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('init would overwrite 2 existing files: prompts/sentiment.yaml, evals/sentiment.yaml');
    expect(r.stderr).toContain('--force');
    expect(readFileSync(join(w.root, 'prompts/sentiment.yaml'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(w.root, 'aigov.yaml'))).toBe(false);
    expect(existsSync(join(w.root, '.gitignore'))).toBe(false);
    expect(readdirSync(join(w.root, 'prompts'))).toEqual(['sentiment.yaml']);
  });

  it('counts a dangling symlink as an existing file', async () => {
    const w = folder();
    mkdirSync(join(w.root, 'evals'));
    symlinkSync(join(w.root, 'nowhere.yaml'), join(w.root, 'evals/sentiment.yaml'));
    const r = await aigov(['init'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('evals/sentiment.yaml');
  });

  it('--force replaces them and lists what it replaced', async () => {
    const w = folder({ 'prompts/sentiment.yaml': 'mine\n' });
    const r = await aigov(['init', '--force'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('replaced prompts/sentiment.yaml');
    expect(readFileSync(join(w.root, 'prompts/sentiment.yaml'), 'utf8')).toContain('id: sentiment');
    const other = folder({ 'aigov.yaml': 'x', 'evals/sentiment.yaml': 'x' });
    const json = await aigov(['init', 'sub', '--force', '--json'], { cwd: other.root });
    expect(json.exitCode).toBe(2); // inside the workspace `other` already is
    const third = folder({ 'evals/sentiment.yaml': 'x', 'prompts/sentiment.yaml': 'x' });
    const j = await aigov(['init', '--force', '--json'], { cwd: third.root });
    expect(JSON.parse(j.stdout).replaced).toEqual(['prompts/sentiment.yaml', 'evals/sentiment.yaml']);
  });

  it('appends only the missing lines to an existing .gitignore', async () => {
    const w = folder({ '.gitignore': 'dist/\n.env\n' });
    const r = await aigov(['init'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(w.root, '.gitignore'), 'utf8')).toBe('dist/\n.env\n# aigov: local state and secrets\n.aigov/\n');
    expect(r.stderr).toContain('appended .gitignore');
  });

  it('leaves a .gitignore that has both lines as it is', async () => {
    const w = folder({ '.gitignore': '.aigov/\n.env\n' });
    const r = await aigov(['init', '--json'], { cwd: w.root });
    expect(JSON.parse(r.stdout)).toMatchObject({ gitignore: 'unchanged', files: SCAFFOLDED });
    expect(readFileSync(join(w.root, '.gitignore'), 'utf8')).toBe('.aigov/\n.env\n');
  });

  it.each([
    ['in the workspace itself', '.', 'already exists'],
    ['in a folder inside it', 'prompts/nested', 'is inside the aigov workspace at'],
  ])('refuses to scaffold %s (exit 2), even with --force', async (_name, dir, message) => {
    const w = folder({ 'aigov.yaml': 'version: 1\nmodels: {}\n' });
    for (const args of [['init', dir], ['init', dir, '--force']]) {
      const r = await aigov(args, { cwd: w.root });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(readFileSync(join(w.root, 'aigov.yaml'), 'utf8')).toBe('version: 1\nmodels: {}\n');
    expect(existsSync(join(w.root, 'prompts'))).toBe(false);
  });

  it('refuses a file where it needs a folder, and a folder where it writes a file', async () => {
    const file = folder({ prompts: 'a file\n' });
    const a = await aigov(['init', '--force'], { cwd: file.root });
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toContain('prompts is not a folder');
    const dir = folder();
    mkdirSync(join(dir.root, 'evals/sentiment.yaml'), { recursive: true });
    const b = await aigov(['init', '--force'], { cwd: dir.root });
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toContain('evals/sentiment.yaml is a folder');
    expect(existsSync(join(dir.root, 'aigov.yaml'))).toBe(false);
  });

  it.skipIf(process.getuid?.() === 0)('writes nothing, and leaves no empty folders, when a write fails', async () => {
    const w = folder();
    mkdirSync(join(w.root, 'automations'));
    chmodSync(join(w.root, 'automations'), 0o555);
    try {
      const r = await aigov(['init'], { cwd: w.root });
      expect(r.exitCode).not.toBe(0);
      expect(readdirSync(w.root).sort()).toEqual(['automations']);
      expect(readdirSync(join(w.root, 'automations'))).toEqual([]);
    } finally {
      chmodSync(join(w.root, 'automations'), 0o755);
    }
  });

  it('keeps the file it was asked not to touch byte for byte, even alongside a .gitignore it would change', async () => {
    const w = folder({ 'automations/sentiment.yaml': 'x', '.gitignore': 'dist/' });
    writeFileSync(join(w.root, 'automations/sentiment.yaml'), 'x');
    expect((await aigov(['init'], { cwd: w.root })).exitCode).toBe(2);
    expect(readFileSync(join(w.root, '.gitignore'), 'utf8')).toBe('dist/');
  });
});
