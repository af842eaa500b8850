// Every error classed right, as a user meets it through the built binary.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { aigov } from '../support/cli.js';
import { classifierFiles, tempWorkspace } from '../support/workspace.js';

const CRASH = fileURLToPath(new URL('../support/crash-in-assertion.mjs', import.meta.url));
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
