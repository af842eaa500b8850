// Files the user may not read or write, as the operating system refuses them: the
// user's to fix (exit 2, with the path), never a bug, and found before any model
// is called. Permissions mean nothing to root, so where the tests run as root
// (CI in a container) the binary runs as the unprivileged `nobody` (setpriv),
// over a workspace that user owns.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type CliResult } from '../support/cli.js';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { classifierFiles, tempWorkspace } from '../support/workspace.js';

const NOBODY = 65534;
const ROOT = process.getuid?.() === 0;
const setpriv = ((): string | undefined => {
  try {
    return execFileSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();

/** The binary as a user without privileges runs it. */
async function asUser(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  const [file, pre] = ROOT ? [setpriv!, [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, BIN]] : [process.execPath, [BIN]];
  const r = await execa(file, [...pre, ...args], { cwd, env: { NO_COLOR: '1', HOME: cwd, TEST_OPENAI_KEY: 'sk-test', ...env }, reject: false, timeout: 60_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** Gives every file under `dir` to the user the binary runs as. */
function own(dir: string): void {
  if (!ROOT) return;
  chownSync(dir, NOBODY, NOBODY);
  for (const name of readdirSync(dir, { recursive: true }) as string[]) chownSync(join(dir, name), NOBODY, NOBODY);
}

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' }, answer: () => 'utilities' });
});
afterAll(() => server?.close());
let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
});

/** A pinned workspace owned by the user the binary runs as. */
async function pinned(): Promise<ReturnType<typeof tempWorkspace>> {
  const w = tempWorkspace(classifierFiles({ baseURL: server.openaiBaseURL, expect: { power: 'utilities' } }));
  cleanup.push(() => {
    chmodSync(w.root, 0o755);
    w.cleanup();
  });
  own(w.root);
  const pin = await asUser(['pin'], w.root);
  if (pin.exitCode !== 0) throw new Error(`pin failed (${pin.exitCode}): ${pin.stderr}`);
  return w;
}

describe.skipIf(ROOT && !setpriv)('files the user may not read or write', () => {
  it('the premise: the binary runs without the privilege to override permissions', async () => {
    const w = await pinned();
    chmodSync(join(w.root, 'prompts/inv.yaml'), 0o000);
    const r = await asUser(['validate'], w.root);
    expect(r.exitCode).not.toBe(0);
    chmodSync(join(w.root, 'prompts/inv.yaml'), 0o644);
  });

  it('an unreadable prompt file: exit 2 with its path, one error (no "unknown prompt" in the suite), nothing sent', async () => {
    const w = await pinned();
    chmodSync(join(w.root, 'prompts/inv.yaml'), 0o000);
    const before = server.requests.length;
    const [validate, run, json] = await Promise.all([asUser(['validate'], w.root), asUser(['eval', '--no-cache'], w.root), asUser(['eval', '--no-cache', '--json'], w.root)]);
    for (const r of [validate, run]) {
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/^prompts\/inv.yaml error E_FILE_UNREADABLE: permission denied: it cannot be read \(make it readable \(chmod \+r\)\)$/m);
      expect(r.stderr).not.toMatch(/unknown prompt|internal error|\n\s+at /);
      expect(r.stderr.split('\n').filter((line) => /^\S+ error /.test(line))).toHaveLength(1);
    }
    expect(JSON.parse(json.stdout).error.problems).toEqual([expect.objectContaining({ code: 'E_FILE_UNREADABLE', file: 'prompts/inv.yaml', severity: 'error' })]);
    expect(server.requests.length).toBe(before);
  });

  it('an unreadable workspace folder: its path, exit 2', async () => {
    const w = await pinned();
    chmodSync(join(w.root, 'evals'), 0o000);
    const r = await asUser(['validate'], w.root);
    chmodSync(join(w.root, 'evals'), 0o755);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^evals error E_FILE_UNREADABLE: permission denied/m);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it.each<[string, string[], Record<string, string>, (root: string) => void, RegExp]>([
    [
      'GITHUB_STEP_SUMMARY naming a read-only file',
      [],
      { GITHUB_STEP_SUMMARY: 'summary.md' },
      (root) => {
        writeFileSync(join(root, 'summary.md'), '');
        own(root);
        chmodSync(join(root, 'summary.md'), 0o444);
      },
      /^error E_OUTPUT_PATH: GITHUB_STEP_SUMMARY summary.md: permission denied: it cannot be written$/m,
    ],
    [
      '-o into a folder the user may not write in',
      ['-o', 'reports/report.json'],
      {},
      (root) => {
        execFileSync('mkdir', [join(root, 'reports')]);
        own(root);
        chmodSync(join(root, 'reports'), 0o555);
      },
      /^error E_OUTPUT_PATH: -o reports\/report.json: permission denied: nothing can be written in reports$/m,
    ],
  ])('%s: exit 2 before any model is called', async (_n, args, env, make, message) => {
    const w = await pinned();
    make(w.root);
    const before = server.requests.length;
    const r = await asUser(['eval', '--no-cache', ...args], w.root, env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(server.requests.length).toBe(before);
    expect(existsSync(join(w.root, 'reports/report.json'))).toBe(false);
  });

  it('init into a folder whose automations/ is read-only: names the file it could not write, and leaves nothing behind', async () => {
    const w = tempWorkspace({});
    cleanup.push(w.cleanup);
    mkdirSync(join(w.root, 'automations'));
    own(w.root);
    chmodSync(join(w.root, 'automations'), 0o555);
    const r = await asUser(['init'], w.root);
    chmodSync(join(w.root, 'automations'), 0o755);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error E_FILE_UNWRITABLE: \S*automations\/sentiment.yaml: permission denied: it cannot be written$/m);
    expect(readdirSync(w.root)).toEqual(['automations']);
    expect(readdirSync(join(w.root, 'automations'))).toEqual([]);
  });

  it('eval --accept on a read-only suite file: exit 2 naming it, the file unchanged', async () => {
    const w = await pinned();
    w.write('evals/inv.yaml', 'suite: inv\nprompt: inv\ncases:\n  - { id: power, vars: { text: power }, expect: other }\n');
    own(w.root);
    chmodSync(join(w.root, 'evals/inv.yaml'), 0o444);
    chmodSync(join(w.root, 'evals'), 0o555);
    const r = await asUser(['eval', '--no-cache', '--accept', 'power'], w.root);
    chmodSync(join(w.root, 'evals'), 0o755);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error E_FILE_UNWRITABLE: \S*evals\/inv.yaml: permission denied: it cannot be written$/m);
    expect(readFileSync(join(w.root, 'evals/inv.yaml'), 'utf8')).toContain('expect: other');
  });

  it.each<[string, (root: string) => void, RegExp]>([
    ['a fixtures/ the user may not write in', (root) => (mkdirSync(join(root, 'fixtures')), own(root), chmodSync(join(root, 'fixtures'), 0o555)), /^error E_OUTPUT_PATH: --record fixtures: permission denied: nothing can be written in it$/m],
    ['a file where fixtures/ should be', (root) => (writeFileSync(join(root, 'fixtures'), 'x'), own(root)), /^error E_OUTPUT_PATH: --record fixtures: is a file, not a folder$/m],
  ])('eval --record into %s: exit 2 before any model is called, not after the paid-for run', async (_n, make, message) => {
    const w = await pinned();
    make(w.root);
    const before = server.requests.length;
    const r = await asUser(['eval', '--record'], w.root);
    chmodSync(w.root, 0o755);
    if (existsSync(join(w.root, 'fixtures')) && statSync(join(w.root, 'fixtures')).isDirectory()) chmodSync(join(w.root, 'fixtures'), 0o755);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(server.requests.length).toBe(before);
  });

  it('pin --upgrade with aigov.lock in a folder the user may not write in: refused before the suites run on either snapshot', async () => {
    const w = await pinned();
    // A newer snapshot appears.
    const newer = await startModelServer({ models: { openai: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'gpt-4o-mini-2025-06-01'] }, answer: () => 'utilities' });
    try {
      w.write('aigov.yaml', readFileSync(join(w.root, 'aigov.yaml'), 'utf8').replace(server.openaiBaseURL, newer.openaiBaseURL));
      own(w.root);
      const lock = readFileSync(join(w.root, 'aigov.lock'), 'utf8');
      chmodSync(w.root, 0o555);
      const r = await asUser(['pin', '--upgrade', 'fast'], w.root);
      chmodSync(w.root, 0o755);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/^error E_FILE_UNWRITABLE: aigov.lock: permission denied: it cannot be written$/m);
      // Resolving the snapshot and asking it its name are all that was sent: no case of the suite.
      expect(newer.requests.filter((q) => q.path.endsWith('/chat/completions') && JSON.stringify(q.body.messages).includes('Invoice'))).toEqual([]);
      expect(readFileSync(join(w.root, 'aigov.lock'), 'utf8')).toBe(lock);
    } finally {
      await newer.close();
    }
  });

  it('aigov.lock in a folder the user may not write in: pin names aigov.lock as unwritable, not its temporary file as unreadable', async () => {
    const w = await pinned();
    // A new prompt version: pin has something to write.
    w.write('prompts/inv.yaml', classifierFiles()['prompts/inv.yaml'].replace('version: 1', 'version: 2').replace('One word.', 'One word, lower case.'));
    own(w.root);
    const lock = statSync(join(w.root, 'aigov.lock')).mtimeMs;
    chmodSync(w.root, 0o555);
    const [text, json] = await Promise.all([asUser(['pin'], w.root), asUser(['pin', '--json'], w.root)]);
    chmodSync(w.root, 0o755);
    expect(text.exitCode).toBe(2);
    expect(text.stderr).toMatch(/^error E_FILE_UNWRITABLE: \S*aigov.lock: permission denied: it cannot be written$/m);
    expect(text.stderr).not.toMatch(/\.tmp|unreadable|internal error/i);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'E_FILE_UNWRITABLE', location: { file: expect.stringMatching(/aigov.lock$/) } });
    expect(statSync(join(w.root, 'aigov.lock')).mtimeMs).toBe(lock);
  });
});
