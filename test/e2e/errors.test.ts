// Every error classed right, as a user meets it through the built binary.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { aigov } from '../support/cli.js';
import { automationYaml, classifierFiles, tempWorkspace } from '../support/workspace.js';

const CRASH = fileURLToPath(new URL('../support/crash-in-assertion.mjs', import.meta.url));
const CRASH_ADAPTER = fileURLToPath(new URL('../support/crash-in-adapter.mjs', import.meta.url));
const CRASH_RENDERER = fileURLToPath(new URL('../support/crash-in-renderer.mjs', import.meta.url));
let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ models: { openai: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'] }, aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' } });
});
afterAll(() => server.close());
let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
  server.setAnswer(() => 'utilities');
});

function ws(files: Record<string, string>) {
  const w = tempWorkspace(files);
  cleanup.push(w.cleanup);
  return w;
}

async function pinned(files: Record<string, string> = {}) {
  const w = ws({ ...classifierFiles({ baseURL: server.openaiBaseURL }), ...files });
  const pin = await aigov(['pin'], { cwd: w.root });
  if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
  return w;
}

describe('an exception inside an assertion is an internal error', () => {
  it('exits 70 with one line asking for a report, not a failed case', async () => {
    const w = await pinned();
    server.setAnswer(() => 'CRASH-IN-ASSERTION');
    const r = await aigov(['eval', '--no-cache'], { cwd: w.root, env: { NODE_OPTIONS: `--import=${CRASH}` } });
    expect(r.exitCode).toBe(70);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^internal error E_INTERNAL: in case "(power|flight)" of suite "inv", the "equals" assertion threw: TypeError: simulated bug in an assertion; this is a bug in aigov: please report it with the command you ran \(--debug shows the stack\)$/),
    ]);
    expect(r.stdout).not.toMatch(/FAIL|deviation/);
  });

  it('shows the stack with --debug, and is one {"error"} object with --json', async () => {
    const w = await pinned();
    server.setAnswer(() => 'CRASH-IN-ASSERTION');
    const env = { NODE_OPTIONS: `--import=${CRASH}` };
    const [debug, json] = await Promise.all([aigov(['eval', '--no-cache', '--debug'], { cwd: w.root, env }), aigov(['eval', '--no-cache', '--json'], { cwd: w.root, env })]);
    expect(debug.exitCode).toBe(70);
    expect(debug.stderr).toMatch(/TypeError: simulated bug in an assertion\n\s+at /);
    expect(json.exitCode).toBe(70);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'E_INTERNAL', message: expect.stringContaining('the "equals" assertion threw'), hint: expect.stringContaining('bug in aigov'), location: null } });
  });
});

describe('an exception inside a provider adapter is an internal error', () => {
  it('exits 70 naming the provider, not a malformed answer (exit 3) or a failed case, and is not retried', async () => {
    const w = await pinned();
    server.setAnswer(() => 'CRASH-IN-ADAPTER');
    const before = server.requests.length;
    const [text, json] = await Promise.all([
      aigov(['eval', '--no-cache', 'inv'], { cwd: w.root, env: { NODE_OPTIONS: `--import=${CRASH_ADAPTER}` } }),
      aigov(['eval', '--no-cache', '--json', 'inv'], { cwd: w.root, env: { NODE_OPTIONS: `--import=${CRASH_ADAPTER}` } }),
    ]);
    expect(text.exitCode).toBe(70);
    expect(text.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^internal error E_INTERNAL: in case "(power|flight)" of suite "inv", the openai provider threw: TypeError: simulated bug in a provider adapter; this is a bug in aigov: please report it/),
    ]);
    expect(text.stdout).not.toMatch(/FAIL|ERROR|malformed/);
    expect(json.exitCode).toBe(70);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'E_INTERNAL', message: expect.stringContaining('the openai provider threw') });
    // A bug is not a transient fault: no retry (retries: 2 in this workspace), at most one call a case per run.
    expect(server.requests.length - before).toBeLessThanOrEqual(4);
  });
});

describe('an exception inside a renderer is an internal error', () => {
  it.each<[string, string[], Record<string, string>, string]>([
    ['the table', [], {}, 'table'],
    ['--format markdown', ['--format', 'markdown'], {}, 'markdown'],
    ['--format junit', ['--format', 'junit'], {}, 'junit'],
    ['--format github', ['--format', 'github'], {}, 'github'],
    ['-o report.xml', ['-o', 'report.xml'], {}, 'junit'],
    ['the GITHUB_STEP_SUMMARY markdown', [], { GITHUB_STEP_SUMMARY: 'summary.md' }, 'markdown'],
  ])('%s: exit 70 naming the renderer, not a gate result', async (_n, args, env, renderer) => {
    const w = await pinned();
    server.setAnswer(() => 'CRASH-IN-RENDERER');
    const r = await aigov(['eval', '--no-cache', ...args], { cwd: w.root, env: { NODE_OPTIONS: `--import=${CRASH_RENDERER}`, ...env } });
    expect(r.exitCode).toBe(70);
    expect(r.stderr.trim().split('\n')).toEqual([
      `internal error E_INTERNAL: the ${renderer} report renderer threw: TypeError: simulated bug in a renderer; this is a bug in aigov: please report it with the command you ran (--debug shows the stack)`,
    ]);
    expect(r.stdout).toBe('');
    expect(existsSync(join(w.root, 'report.xml'))).toBe(false);
  });
});

describe('--json errors, for every command', () => {
  it.each<[string, string[], string, number]>([
    ['no workspace', ['validate', '--json'], 'E_NO_WORKSPACE', 2],
    ['an unknown option', ['eval', '--json', '--frobnicate'], 'E_USAGE', 2],
    ['a missing option argument', ['eval', '--json', '-o'], 'E_USAGE', 2],
    ['an unknown flag spelled --output-file', ['eval', '--json', '--output-file', 'x.json'], 'E_USAGE', 2],
    ['a bad option value', ['eval', '--json', '--repeat', 'x'], 'E_USAGE', 2],
    ['runs outside a workspace', ['runs', '--json'], 'E_NO_WORKSPACE', 2],
    ['pin outside a workspace', ['pin', '--json'], 'E_NO_WORKSPACE', 2],
  ])('%s', async (_n, args, code, exitCode) => {
    const w = ws({ 'empty.txt': '' });
    const r = await aigov(args, { cwd: w.root });
    expect(r.exitCode).toBe(exitCode);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['error']);
    expect(out.error).toMatchObject({ code, message: expect.any(String) });
    expect(Object.keys(out.error)).toEqual(['code', 'message', 'hint', 'location']);
  });

  it.each<[string, string[], string]>([
    ['aigov with no command', [], 'aigov needs a command: init, validate,'],
    ['a command group without its command', ['prompt'], 'aigov prompt needs a command: show, diff, history'],
    ['a nested group, after a global option', ['--root', '.', 'log'], 'aigov log needs a command: verify, seal,'],
  ])('%s: exit 2, says what is missing, in --json and in text (never "(outputHelp)")', async (_n, args, message) => {
    const w = ws({ 'empty.txt': '' });
    const [json, text] = await Promise.all([aigov([...args, '--json'], { cwd: w.root }), aigov(args, { cwd: w.root })]);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'E_USAGE', message: expect.stringContaining(message), hint: null, location: null } });
    expect(json.stdout).not.toContain('outputHelp');
    expect(text.exitCode).toBe(2);
    expect(text.stderr).toMatch(/^Usage: aigov/);
    expect(text.stderr.trimEnd().split('\n').at(-1)).toContain(`error E_USAGE: ${message}`);
  });

  it('every command and group, as --help lists them: a usage error is one {"error"} object with its code', async () => {
    const w = ws({ 'empty.txt': '' });
    /** The commands a help text lists, but `help`. */
    const listed = (help: string): string[] =>
      [...(help.split(/^Commands:$/m)[1] ?? '').matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    // Each command, and each command of a group (`runs` is both).
    const names = listed((await aigov(['--help'])).stdout);
    const helps = await Promise.all(names.map((name) => aigov([name, '--help'])));
    const leaves = names.flatMap((name, i) => [[name], ...listed(helps[i].stdout).map((sub) => [name, sub])]);
    // Every command of the README's table is among them (a guard against a help text this test misreads).
    expect(leaves.map((l) => l.join(' '))).toEqual(expect.arrayContaining(['init', 'validate', 'eval', 'pin', 'prompt show', 'runs', 'review approve', 'log verify', 'log check-proof', 'promote', 'calibrate', 'github comment']));
    const results = await Promise.all(leaves.map((cmd) => aigov([...cmd, '--json', '--no-such-flag'], { cwd: w.root })));
    results.forEach((r, i) => {
      const what = leaves[i].join(' ');
      expect(r.exitCode, what).toBe(2);
      // An unknown option, or first a missing argument the command needs.
      const { error } = JSON.parse(r.stdout);
      expect(Object.keys(error), what).toEqual(['code', 'message', 'hint', 'location']);
      expect(error, what).toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/^(unknown option '--no-such-flag'|missing required argument|required option)/) });
      expect(r.stderr, what).toContain(`error E_USAGE: ${error.message}`);
    });
  });

  it('text output shows the code beside the message', async () => {
    const w = ws({ 'empty.txt': '' });
    const [none, usage] = await Promise.all([aigov(['validate'], { cwd: w.root }), aigov(['eval', '--frobnicate'], { cwd: w.root })]);
    expect(none.stderr).toMatch(/^error E_NO_WORKSPACE: no aigov.yaml here or in any parent folder$/m);
    expect(usage.stderr).toMatch(/^error E_USAGE: unknown option '--frobnicate'/m);
  });

  it('a workspace problem: the problems list, and the code in text', async () => {
    const w = ws({ ...classifierFiles(), 'evals/inv.yaml': 'suite: inv\nprompt: inv\ncases: []\n' });
    const [json, text] = await Promise.all([aigov(['eval', '--json'], { cwd: w.root }), aigov(['eval'], { cwd: w.root })]);
    expect(json.exitCode).toBe(2);
    const { error } = JSON.parse(json.stdout);
    expect(error).toMatchObject({ code: 'E_INVALID', location: { file: 'evals/inv.yaml', line: 3, col: 8, path: 'cases' }, problems: [expect.objectContaining({ file: 'evals/inv.yaml', severity: 'error' })] });
    expect(text.stderr).toMatch(/^evals\/inv.yaml:3:8 error cases: .*\nerror E_INVALID: 1 error in the workspace: nothing was run or written$/m);
  });
});

describe('environment errors are the user\'s, with the path, never a bug', () => {
  const PROMPT = classifierFiles()['prompts/inv.yaml'];
  it.each<[string, (root: string) => void, RegExp]>([
    ['a folder where a prompt file should be', (root) => mkdirSync(join(root, 'prompts/inv.yaml'), { recursive: true }), /^prompts\/inv.yaml error E_FILE_UNREADABLE: is a folder, not a file/m],
    ['a dangling symbolic link', (root) => symlinkSync('nowhere.yaml', join(root, 'prompts/inv.yaml')), /^prompts\/inv.yaml error E_FILE_UNREADABLE: is a symbolic link to nowhere.yaml, which does not exist/m],
    ['a looping symbolic link', (root) => symlinkSync('inv.yaml', join(root, 'prompts/inv.yaml')), /^prompts\/inv.yaml error E_FILE_UNREADABLE: is a symbolic link that loops/m],
    ['a FIFO, which would block a read', (root) => execFileSync('mkfifo', [join(root, 'prompts/inv.yaml')]), /^prompts\/inv.yaml error E_FILE_UNREADABLE: is not a regular file/m],
  ])('%s: exit 2, one error, no cascade', async (_n, make, message) => {
    const w = ws({ ...classifierFiles(), 'prompts/inv.yaml': '' });
    const { rmSync } = await import('node:fs');
    rmSync(join(w.root, 'prompts/inv.yaml'));
    make(w.root);
    const r = await aigov(['validate'], { cwd: w.root, timeout: 15_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/unknown prompt|internal error|\n\s+at /);
    expect(r.stderr.match(/ error /g)).toHaveLength(1);
  });

  it.each<[string, Record<string, string>, (root: string) => void, RegExp]>([
    ['prompts/ is a file', { 'aigov.yaml': classifierFiles()['aigov.yaml'], 'evals/inv.yaml': classifierFiles()['evals/inv.yaml'] }, (root) => writeFileSync(join(root, 'prompts'), PROMPT), /^prompts error E_FILE_UNREADABLE: is a file, not a folder: its prompts cannot be read/m],
    ['aigov.yaml is a folder', { 'prompts/inv.yaml': PROMPT }, (root) => mkdirSync(join(root, 'aigov.yaml')), /^aigov.yaml error E_FILE_UNREADABLE: is a folder, not a file/m],
    ['aigov.yaml is a dangling link: reported, not skipped for a workspace further up', { 'prompts/inv.yaml': PROMPT }, (root) => symlinkSync('gone.yaml', join(root, 'aigov.yaml')), /^aigov.yaml error E_FILE_UNREADABLE: is a symbolic link to gone.yaml/m],
    ['aigov.lock is a dangling link', classifierFiles(), (root) => symlinkSync('gone.lock', join(root, 'aigov.lock')), /^aigov.lock error E_FILE_UNREADABLE: is a symbolic link to gone.lock/m],
  ])('%s', async (_n, files, make, message) => {
    const w = ws(files);
    make(w.root);
    const r = await aigov(['validate'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error|unknown prompt|\n\s+at /);
    expect(r.stderr.match(/ error /g)).toHaveLength(1);
  });

  it('a workspace file error is in --json as a problem with its code', async () => {
    const w = ws(classifierFiles());
    symlinkSync('gone.yaml', join(w.root, 'prompts/other.yaml'));
    const r = await aigov(['eval', '--json'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout).error.problems).toEqual([expect.objectContaining({ code: 'E_FILE_UNREADABLE', file: 'prompts/other.yaml', severity: 'error' })]);
  });
});

describe('the run log where the file system will not have it', () => {
  it.each<[string, (root: string) => void, string, RegExp]>([
    ['.aigov is a file', (root) => writeFileSync(join(root, '.aigov'), ''), 'E_FILE_UNWRITABLE', /^error E_FILE_UNWRITABLE: the run log \S+\.aigov\/runs\.db: a part of its path is a file, not a folder$/m],
    ['the run log is a folder', (root) => mkdirSync(join(root, '.aigov/runs.db'), { recursive: true }), 'E_FILE_UNREADABLE', /^error E_FILE_UNREADABLE: the run log \S+\.aigov\/runs\.db: is a folder, not a file$/m],
  ])('%s: exit 2 with the path and what to do, never a bug', async (_n, make, code, message) => {
    const w = ws({ ...classifierFiles(), 'aigov.yaml': `${classifierFiles()['aigov.yaml']}store: sqlite:.aigov/runs.db\n` });
    make(w.root);
    const r = await aigov(['runs'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/hint: point `store:` in aigov.yaml/);
    expect(r.stderr).not.toMatch(/internal error|EEXIST|\n\s+at /);
    const json = await aigov(['runs', '--json'], { cwd: w.root });
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code, location: { file: expect.stringMatching(/\.aigov\/runs\.db$/) } });
  });
});

describe('the run log is not read through a workspace with errors', () => {
  it.each([['dashboard'], ['report', '--month', '2026-11'], ['calibrate', 'inv']])('%s: an automation file with an error is refused (exit 2), not left off the board', async (...args) => {
    const w = ws({ ...classifierFiles(), 'automations/inv.yaml': automationYaml('inv', 7, 'inv') });
    const r = await aigov(args, { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^automations\/inv.yaml:\d+:\d+ error tier/m);
    expect(r.stderr).toMatch(/error E_INVALID: 1 error in the workspace/);
  });

  it('runs: an error in aigov.yaml is refused (its store: may name another log), one in a prompt is not', async () => {
    const broken = ws({ ...classifierFiles(), 'aigov.yaml': 'version: 1\nmodels: [\n' });
    const r = await aigov(['runs', '--json'], { cwd: broken.root });
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'E_INVALID', problems: [expect.objectContaining({ file: 'aigov.yaml' })] });
    const prompt = ws({ ...classifierFiles(), 'prompts/inv.yaml': 'id: inv\nversion: [\n' });
    const ok = await aigov(['runs', '--json'], { cwd: prompt.root });
    expect(ok.exitCode).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([]);
  });
});

describe('dashboard --html and report -o check where they write before reading the log', () => {
  it.each([
    ['dashboard', '--html', 'missing/board.html', /^error E_OUTPUT_PATH: --html missing\/board.html: its folder missing does not exist$/m],
    ['dashboard', '--html', '.', /^error E_OUTPUT_PATH: --html \.: is a folder, not a file$/m],
    ['report --month 2026-11', '-o', 'missing/review.md', /^error E_OUTPUT_PATH: -o missing\/review.md: its folder missing does not exist$/m],
  ])('%s %s %s: exit 2, nothing made, no sign-off', async (command, flag, path, message) => {
    const w = ws(classifierFiles());
    const r = await aigov([...command.split(' '), flag, path, ...(command.startsWith('report') ? ['--sign-off', '--as', 'ann'] : [])], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(w.root, 'missing'))).toBe(false);
    // Nothing was read or logged: the run log was never opened.
    expect(existsSync(join(w.root, '.aigov'))).toBe(false);
  });
});

describe('one root cause, one error', () => {
  // An automation names the suite and the prompt, and the lock holds the prompt: a
  // broken file must not also show up as a missing one in each of them.
  const AUTOMATION = automationYaml('inv', 1, 'inv', 'evals: [inv]\n');
  it.each<[string, string, string, RegExp]>([
    ['a suite file that fails to parse', 'evals/inv.yaml', 'suite: [inv\n', /^evals\/inv.yaml:\d+:\d+ error invalid YAML/m],
    ['a suite file whose id differs from its name', 'evals/inv.yaml', 'suite: invoices\nprompt: inv\ncases:\n  - { id: a, vars: { text: x }, expect: y }\n', /^evals\/inv.yaml:1:8 error suite: suite "invoices" must equal the file name "inv"/m],
    ['a prompt file that fails to parse', 'prompts/inv.yaml', 'id: [inv\n', /^prompts\/inv.yaml:\d+:\d+ error invalid YAML/m],
    ['a prompt file with a schema error', 'prompts/inv.yaml', classifierFiles()['prompts/inv.yaml'].replace('version: 1', 'version: one'), /^prompts\/inv.yaml:2:10 error version: /m],
  ])('%s: validate, eval and pin --check print its error alone', async (_n, file, text, message) => {
    const w = await pinned({ 'automations/inv.yaml': AUTOMATION });
    expect(readFileSync(join(w.root, 'aigov.lock'), 'utf8')).toMatch(/prompts:\n {2}inv:[\s\S]*automations:\n {2}inv:/);
    w.write(file, text);
    const results = await Promise.all([['validate'], ['eval', '--no-cache'], ['pin', '--check']].map((args) => aigov(args, { cwd: w.root })));
    for (const r of results) {
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/unknown eval suite|unknown prompt|its file is gone|internal error/);
      expect(r.stderr.split('\n').filter((line) => /^\S+ error /.test(line))).toHaveLength(1);
    }
  });
});

describe('output paths are checked before eval calls a model', () => {
  it.each<[string, string[], Record<string, string>, (root: string) => void, RegExp]>([
    ['-o naming a folder', ['-o', 'reports'], {}, (root) => mkdirSync(join(root, 'reports')), /^error E_OUTPUT_PATH: -o reports: is a folder, not a file\n {2}hint: name a file inside it, for example reports\/report.json/m],
    ['-o into a missing folder', ['-o', 'out/report.json'], {}, () => {}, /^error E_OUTPUT_PATH: -o out\/report.json: its folder out does not exist\n {2}hint: create it first \(mkdir -p out\)/m],
    ['-o with a format aigov cannot tell', ['-o', 'report.yaml'], {}, () => {}, /^error E_USAGE: cannot tell a report format from "report.yaml"/m],
    ['-o taking what looks like an option as its file', ['-o', '-x.json'], {}, () => {}, /^error E_USAGE: -o needs a file name, got the option "-x.json"\n {2}hint: for a file whose name starts with "-", write .\/-x.json/m],
    ['-o followed by another option', ['-o', '--json'], {}, () => {}, /^error E_USAGE: option '-o, --output <file>' argument missing/m],
    ['GITHUB_STEP_SUMMARY naming a folder', [], { GITHUB_STEP_SUMMARY: 'summary' }, (root) => mkdirSync(join(root, 'summary')), /^error E_OUTPUT_PATH: GITHUB_STEP_SUMMARY summary: is a folder, not a file/m],
    ['GITHUB_STEP_SUMMARY in a missing folder', [], { GITHUB_STEP_SUMMARY: '/nonexistent-aigov/summary.md' }, () => {}, /^error E_OUTPUT_PATH: GITHUB_STEP_SUMMARY \/nonexistent-aigov\/summary.md: its folder \/nonexistent-aigov does not exist/m],
  ])('%s: exit 2, nothing sent', async (_n, args, env, make, message) => {
    const w = await pinned();
    make(w.root);
    const before = server.requests.length;
    const r = await aigov(['eval', '--no-cache', ...args], { cwd: w.root, env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(server.requests.length).toBe(before);
  });
});

describe('what the user must fix is found by validate, and eval calls no model', () => {
  const files = classifierFiles();
  const withAssert = (a: string) => files['evals/inv.yaml'].replace('    expect: utilities\n', `    expect: utilities\n    assert:\n      - ${a}\n`);
  it.each<[string, Record<string, string>, RegExp]>([
    ['a schema assertion without an output schema', { 'evals/inv.yaml': withAssert('{ type: schema }') }, /^evals\/inv.yaml:\d+:17 error cases\[0\].assert\[0\].type: prompt "inv" declares no output schema/m],
    [
      'an output schema that is not valid JSON Schema',
      { 'prompts/inv.yaml': files['prompts/inv.yaml'].replace('vars:', 'output:\n  type: json\n  schema: { type: object, properties: { a: { type: strin } } }\nvars:') },
      /^prompts\/inv.yaml:\d+:\d+ error output.schema.properties.a.type: not a valid JSON Schema: must be equal to one of the allowed values/m,
    ],
    [
      'a 2020-12 output schema that is not valid',
      { 'prompts/inv.yaml': files['prompts/inv.yaml'].replace('vars:', 'output:\n  type: json\n  schema: { $schema: "https://json-schema.org/draft/2020-12/schema", prefixItems: 5 }\nvars:') },
      /^prompts\/inv.yaml:\d+:\d+ error output.schema.prefixItems: not a valid JSON Schema: must be array/m,
    ],
    ['max-cost on a model with no price', { 'aigov.yaml': files['aigov.yaml'].replace(/pricing:\n.*\n/, ''), 'evals/inv.yaml': withAssert('{ type: max-cost, value: 0.01 }') }, /^evals\/inv.yaml:\d+:17 error cases\[0\].assert\[0\].type: max-cost needs the price of openai:gpt-4o-mini-2024-07-18/m],
    ['expect: left empty', { 'evals/inv.yaml': files['evals/inv.yaml'].replace('expect: travel', 'expect:') }, /^evals\/inv.yaml:\d+:5 error cases\[1\].expect: case "flight": expect is empty/m],
  ])('%s', async (_n, over, message) => {
    const w = await pinned();
    for (const [path, text] of Object.entries(over)) w.write(path, text);
    const before = server.requests.length;
    const [validate, run] = await Promise.all([aigov(['validate'], { cwd: w.root }), aigov(['eval', '--no-cache'], { cwd: w.root })]);
    expect(validate.exitCode).toBe(2);
    expect(validate.stderr).toMatch(message);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(server.requests.length).toBe(before);
  });

  it('a judge model that is not pinned: validate warns at its line, eval refuses it (exit 1) before any call', async () => {
    const w = await pinned();
    w.write('aigov.yaml', `${files['aigov.yaml']}`.replace('models:\n', 'models:\n  grader: openai:gpt-4o\n'));
    w.write('evals/inv.yaml', withAssert('{ type: judge, rubric: polite, model: grader }'));
    const before = server.requests.length;
    const [validate, run] = await Promise.all([aigov(['validate'], { cwd: w.root }), aigov(['eval', '--no-cache'], { cwd: w.root })]);
    expect(validate.exitCode).toBe(0);
    expect(validate.stderr).toMatch(/^evals\/inv.yaml:\d+:47 warning cases\[0\].assert\[0\].model: judge model "grader" is not pinned in aigov.lock/m);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^error E_UNLOCKED: model "grader" not locked in aigov.lock/m);
    expect(server.requests.length).toBe(before);
  });

  it('max-cost under --unlocked on an unpriced model: refused before any call', async () => {
    const w = ws({ ...files, 'aigov.yaml': files['aigov.yaml'].replace('http://127.0.0.1:9/v1', server.openaiBaseURL), 'evals/inv.yaml': withAssert('{ type: max-cost, value: 0.01 }') });
    const before = server.requests.length;
    const r = await aigov(['eval', '--unlocked', '--no-cache'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^evals\/inv.yaml:\d+:17 error cases\[0\].assert\[0\].type: max-cost needs the price of openai:gpt-4o-mini,/m);
    expect(server.requests.length).toBe(before);
  });
});

describe('replay fixtures the user must fix stop the run once, with exit 2', () => {
  it.each<[string, (root: string) => void, RegExp]>([
    ['a fixture file that is not YAML', (root) => writeFileSync(join(root, 'fixtures/inv.yaml'), 'recordings: [\n'), /^error E_USAGE: fixtures\/inv.yaml:\d+:\d+ invalid YAML/m],
    ['a folder among the fixtures', (root) => mkdirSync(join(root, 'fixtures/inv.yaml')), /^error E_FILE_UNREADABLE: fixtures\/inv.yaml: is a folder, not a file/m],
  ])('%s', async (_n, make, message) => {
    const w = await pinned();
    mkdirSync(join(w.root, 'fixtures'), { recursive: true });
    make(w.root);
    const r = await aigov(['eval', '--replay'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.match(/error E_/g)).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});
