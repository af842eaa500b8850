import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { aigov } from '../support/cli.js';
import { classifierFiles, tempWorkspace } from '../support/workspace.js';

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
});
function ws(files: Record<string, string | Buffer>) {
  const w = tempWorkspace(files);
  cleanup.push(w.cleanup);
  return w;
}

describe('aigov validate', () => {
  it('passes a valid workspace, listing lock drift as warnings only', async () => {
    const w = ws(classifierFiles());
    const r = await aigov(['validate'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('aigov.lock warning no lock file');
    expect(r.stderr).toMatch(/ok: 3 files/);
  });

  it.each<[string, Record<string, string | Buffer>, RegExp]>([
    ['invalid YAML', { 'prompts/inv.yaml': 'id: [inv\n' }, /^prompts\/inv.yaml:\d+:\d+ error invalid YAML/m],
    ['a schema error', { 'prompts/inv.yaml': classifierFiles()['prompts/inv.yaml'].replace('version: 1', 'version: one') }, /^prompts\/inv.yaml:2:10 error version: /m],
    ['an unknown reference', { 'evals/inv.yaml': classifierFiles()['evals/inv.yaml'].replace('prompt: inv', 'prompt: nope') }, /^evals\/inv.yaml:3:9 error prompt: unknown prompt "nope"/m],
    ['a file over 5 MB', { 'prompts/big.yaml': `id: big\n# ${'x'.repeat(5 * 1024 * 1024)}\n` }, /^prompts\/big.yaml error file is 5.0 MB; the limit is 5 MB/m],
    ['non-UTF-8 text', { 'prompts/latin.yaml': Buffer.from('id: latin\ndescription: caf\xe9\n', 'latin1') }, /^prompts\/latin.yaml:2:17 error not UTF-8 text/m],
    ['an alias bomb', { 'evals/bomb.yaml': `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n` }, /^evals\/bomb.yaml:1:1 error too many YAML aliases/m],
  ])('reports %s with file:line:col, exit 2, no stack', async (_name, files, message) => {
    const w = ws({ ...classifierFiles(), ...files });
    const r = await aigov(['validate'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports every problem at once, as JSON with --json', async () => {
    const files = classifierFiles();
    const w = ws({ ...files, 'prompts/inv.yaml': files['prompts/inv.yaml'].replace('model: fast', 'model: fats').replace('{{text}}', '{{txt}}') });
    const r = await aigov(['validate', '--json'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.errors).toBe(2);
    expect(out.problems.map((p: { message: string }) => p.message)).toEqual(expect.arrayContaining(['unknown model "fats"', 'unknown variable "txt"']));
  });

  it('finds the workspace from a subfolder, or through --root', async () => {
    const w = ws(classifierFiles());
    expect((await aigov(['validate'], { cwd: `${w.root}/prompts` })).exitCode).toBe(0);
    expect((await aigov(['validate', '--root', w.root], { cwd: '/' })).exitCode).toBe(0);
    const none = await aigov(['validate'], { cwd: '/' });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('no aigov.yaml here or in any parent folder');
  });

  it('--root or AIGOV_ROOT naming a file: one error saying so, not a folder\'s files "under" it', async () => {
    const w = ws({ ...classifierFiles(), 'notes.txt': 'x' });
    const [flag, env] = await Promise.all([aigov(['validate', '--root', 'notes.txt'], { cwd: w.root }), aigov(['validate', '--json'], { cwd: w.root, env: { AIGOV_ROOT: 'notes.txt' } })]);
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr.trim()).toBe('error E_NO_WORKSPACE: --root notes.txt: is a file, not a folder\n  hint: point it at the folder that holds aigov.yaml');
    expect(env.exitCode).toBe(2);
    expect(JSON.parse(env.stdout).error).toMatchObject({ code: 'E_NO_WORKSPACE', message: 'AIGOV_ROOT notes.txt: is a file, not a folder' });
    // Below a file, nothing can be: the walk up from a path through a file finds no aigov.yaml there.
    const below = await aigov(['validate', '--root', 'notes.txt/sub'], { cwd: w.root });
    expect(below.exitCode).toBe(2);
    expect(below.stderr).toMatch(/^error E_NO_WORKSPACE: no aigov.yaml in \S+notes.txt\/sub$/m);
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await aigov(['evaluate'])).exitCode).toBe(2);
    expect((await aigov(['validate', '--frobnicate'])).exitCode).toBe(2);
  });
});

describe('aigov init, schema, --version', () => {
  it('scaffolds a workspace that validates, with schema headers, and refuses to overwrite', async () => {
    const w = ws({});
    const r = await aigov(['init'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(readFileSync(`${w.root}/prompts/sentiment.yaml`, 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\.\/node_modules\/aigov\/schemas\/prompt.json/);
    expect((await aigov(['validate'], { cwd: w.root })).exitCode).toBe(0);
    const again = await aigov(['init'], { cwd: w.root });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('prints the JSON Schema of a kind, generated from the validating schemas', async () => {
    const r = await aigov(['schema', 'prompt']);
    expect(r.exitCode).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.properties.output.properties.type.enum).toEqual(['text', 'json']);
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'version', 'model', 'messages']));
    expect((await aigov(['schema', 'nope'])).exitCode).toBe(2);
  });

  it('prints its version', async () => {
    const r = await aigov(['--version']);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  });
});
