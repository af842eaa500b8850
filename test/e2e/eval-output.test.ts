// What `aigov eval` prints, through the built binary: --quiet, --format junit,
// --json with --format, model output that tries to drive the terminal, and .env.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { aigov } from '../support/cli.js';
import { classifierFiles, tempWorkspace } from '../support/workspace.js';

let server: ModelServer;
let answers: Record<string, string> = {};
beforeAll(async () => {
  server = await startModelServer({ models: { openai: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'] } });
  server.setAnswer((req) => answers[/Invoice: (\w+)/.exec(req.messages.at(-1)!.content)?.[1] ?? ''] ?? 'other');
});
afterAll(() => server.close());
let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
});

async function workspace(expect: Record<string, string>, opts: { pin?: boolean } = {}) {
  const w = tempWorkspace(classifierFiles({ baseURL: server.openaiBaseURL, expect }));
  cleanup.push(w.cleanup);
  if (opts.pin !== false) {
    const pin = await aigov(['pin'], { cwd: w.root });
    if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
  }
  return w;
}

// What a terminal acts on: C0 but \t and \n, DEL, C1, bidi overrides and isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

describe('aigov eval --quiet', () => {
  it('names each failing case, one line each, and nothing else (exit 1)', async () => {
    answers = { power: 'utilities', flight: 'travel', chairs: 'other' };
    const w = await workspace({ power: 'utilities', flight: 'travels', chairs: 'furniture' });
    const r = await aigov(['eval', '--quiet'], { cwd: w.root });
    expect(r.exitCode).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual(['FAIL inv/flight  evals/inv.yaml:9', 'FAIL inv/chairs  evals/inv.yaml:13']);
    expect(r.stderr).toBe('');
  });

  it('prints nothing when the gate passes', async () => {
    answers = { power: 'utilities' };
    const w = await workspace({ power: 'utilities' });
    const r = await aigov(['eval', '--quiet'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
  });
});

describe('aigov eval --format', () => {
  it('junit carries the UNLOCKED marker as a property, as markdown and github carry the warning', async () => {
    answers = { power: 'utilities' };
    const w = await workspace({ power: 'utilities' }, { pin: false });
    const junit = await aigov(['eval', '--unlocked', '--format', 'junit'], { cwd: w.root });
    expect(junit.exitCode).toBe(0);
    expect(junit.stdout).toMatch(/<testsuite name="inv"[^>]*>\s*<properties>\s*<property name="UNLOCKED" value="openai:gpt-4o-mini is not pinned in aigov.lock; this result is not evidence for a gate"\/>/);
    expect((await aigov(['eval', '--unlocked', '--format', 'markdown'], { cwd: w.root })).stdout).toContain('**warning:** UNLOCKED');
    expect((await aigov(['eval', '--unlocked', '--format', 'github'], { cwd: w.root })).stdout).toContain('::warning title=aigov::UNLOCKED');
  });

  it('--json together with --format is a usage error (exit 2), before anything runs', async () => {
    const w = await workspace({ power: 'utilities' });
    const before = server.requests.length;
    for (const format of ['junit', 'json']) {
      const r = await aigov(['eval', '--json', '--format', format], { cwd: w.root });
      expect(r.exitCode).toBe(2);
      expect(`${r.stdout}${r.stderr}`).toContain('--json and --format cannot be used together');
    }
    expect(server.requests.length).toBe(before);
  });
});

describe('aigov eval: model output is untrusted', () => {
  const HOSTILE = 'travel\x1b[2J\x1b[H\x1b]0;pwned\x07\rPASS inv/flight \u009b31m \u202Etxt.exe';

  it.each([
    ['table', []],
    ['github', ['--format', 'github']],
    ['markdown', ['--format', 'markdown']],
    ['junit', ['--format', 'junit']],
  ])('%s: no terminal control reaches stdout; each one is shown as a visible stand-in', async (_name, args) => {
    answers = { flight: HOSTILE };
    const w = await workspace({ flight: 'travel' });
    const r = await aigov(['eval', '--no-cache', ...args], { cwd: w.root });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).not.toMatch(UNSAFE);
    expect(r.stdout).toContain('␛[2J');
    expect(r.stdout).toContain('⟨U+202E⟩');
  });

  it('and in the github annotation the stand-ins sit inside the one ::error line', async () => {
    answers = { flight: HOSTILE };
    const w = await workspace({ flight: 'travel' });
    const r = await aigov(['eval', '--no-cache', '--format', 'github'], { cwd: w.root });
    const annotation = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(annotation).toHaveLength(1);
    expect(annotation[0]).toContain('␍PASS inv/flight');
  });

  it('the JSON report keeps the output exactly as it came', async () => {
    answers = { flight: HOSTILE };
    const w = await workspace({ flight: 'travel' });
    const r = await aigov(['eval', '--no-cache', '--json'], { cwd: w.root });
    expect(JSON.parse(r.stdout).suites[0].cases[0].samples[0].output).toBe(HOSTILE);
  });
});

describe('command output is untrusted too', () => {
  // An exec provider whose command fails, saying something hostile on stderr: aigov
  // quotes it in the error, which reaches the terminal on every command that calls it.
  const HOSTILE = 'down\x1b[2J\x1b]0;pwned\x07\rok \u009b31m \u202Etxt.exe';
  async function execWorkspace() {
    const w = tempWorkspace({
      ...classifierFiles(),
      'aigov.yaml': 'version: 1\nmodels:\n  fast: house:house-1\nproviders:\n  house: { type: exec, command: [node, house.mjs] }\n',
      'house.mjs': `process.stderr.write(${JSON.stringify(HOSTILE)});\nprocess.exit(1);\n`,
    });
    cleanup.push(w.cleanup);
    return w;
  }

  it('a failing command quoted in an error (pin) shows its controls as stand-ins; --json keeps them exactly', async () => {
    const w = await execWorkspace();
    const [text, json] = await Promise.all([aigov(['pin'], { cwd: w.root }), aigov(['pin', '--json'], { cwd: w.root })]);
    expect(text.exitCode).toBe(3);
    expect(text.stderr).toMatch(/^error E_PROVIDER_EXEC: .*`node house.mjs` exited with code 1: down␛\[2J␛\]0;pwned␇␍ok ⟨U\+009B⟩31m ⟨U\+202E⟩txt.exe/m);
    expect(text.stderr).not.toMatch(UNSAFE);
    expect(json.exitCode).toBe(3);
    expect(JSON.parse(json.stdout).error.message).toContain(HOSTILE);
  });

  it('and in the ERROR block of an eval', async () => {
    const w = await execWorkspace();
    const r = await aigov(['eval', '--unlocked', '--no-cache'], { cwd: w.root });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/^ERROR inv\/power/m);
    expect(r.stdout).toContain('down␛[2J');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(UNSAFE);
  });
});

describe('aigov eval: .env', () => {
  it('a UTF-8 BOM does not hide the first key; a malformed line is a warning with .env:line, never its value', async () => {
    answers = { power: 'utilities' };
    const w = await workspace({ power: 'utilities' });
    w.write('.env', '\uFEFFTEST_OPENAI_KEY=sk-from-dotenv\nSOME_TOKEN sk-do-not-print\nOTHER="sk-unclosed-secret\n');
    const r = await aigov(['eval', '--no-cache'], { cwd: w.root, env: { TEST_OPENAI_KEY: undefined } });
    expect(r.exitCode).toBe(0);
    const last = server.requests.filter((q) => q.path.endsWith('/chat/completions')).at(-1)!;
    expect(last.headers.authorization).toBe('Bearer sk-from-dotenv');
    expect(r.stderr).toContain('.env:2:1 warning expected KEY=VALUE; the line is ignored');
    expect(r.stderr).toContain('.env:3:1 warning OTHER: the " quote is never closed; the line is ignored');
    expect(r.stderr).not.toContain('sk-do-not-print');
    expect(r.stderr).not.toContain('sk-unclosed-secret');
  });

  it('a .env that is a folder is named as such (exit 2) before anything is sent', async () => {
    answers = { power: 'utilities' };
    const w = await workspace({ power: 'utilities' });
    mkdirSync(join(w.root, '.env'));
    const before = server.requests.length;
    const r = await aigov(['eval', '--no-cache'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error E_FILE_UNREADABLE: .env: is a folder, not a file$/m);
    expect(server.requests.length).toBe(before);
  });

  it('the environment wins over .env, and --quiet keeps the warnings off', async () => {
    answers = { power: 'utilities' };
    const w = await workspace({ power: 'utilities' });
    w.write('.env', 'TEST_OPENAI_KEY=sk-from-dotenv\nbroken line\n');
    const r = await aigov(['eval', '--no-cache', '--quiet'], { cwd: w.root, env: { TEST_OPENAI_KEY: 'sk-from-env' } });
    expect(r.exitCode).toBe(0);
    expect(server.requests.filter((q) => q.path.endsWith('/chat/completions')).at(-1)!.headers.authorization).toBe('Bearer sk-from-env');
    expect(r.stderr).toBe('');
  });
});
