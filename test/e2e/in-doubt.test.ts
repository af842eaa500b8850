// Processes killed mid-action, for real, on SQLite and on PostgreSQL: an
// automation SIGKILLed inside its action or inside the notify command, and
// `aigov revert` stopped with Ctrl-C twice. What the built binary then shows.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRow, TraceRow } from '../../src/app/runs.js';
import { BIN, aigov } from '../support/cli.js';
import { governedWorkspace, type Governed } from '../support/governed.js';
import { storeBackends } from '../support/stores.js';
import { automationYaml, configYaml, promptYaml } from '../support/workspace.js';

const REGISTER_TS = fileURLToPath(new URL('../support/register-ts.mjs', import.meta.url));
const GOVERNOR = pathToFileURL(fileURLToPath(new URL('../../src/app/governor.ts', import.meta.url))).href;

const FILES: Record<string, string> = {
  'aigov.yaml': configYaml('http://127.0.0.1:9/v1'),
  'prompts/cls.yaml': promptYaml('cls'),
  'automations/book.yaml': automationYaml('book', 2, 'cls', 'downstream: [erp]\nreversal: { window: 1h, command: [node, unbook.mjs] }\nnotify: { command: [node, notify.mjs] }\n'),
  'automations/stuck.yaml': automationYaml('stuck', 2, 'cls', 'downstream: [erp]\nreversal: { window: 1h, command: [node, stuck.mjs] }\n'),
  // Told of every action; this one hangs once it has said who it is.
  'notify.mjs': "import { writeFileSync } from 'node:fs';\nwriteFileSync('notify.pid', process.pid + '\\n');\nsetInterval(() => {}, 1000);\n",
  'unbook.mjs': "import { writeFileSync } from 'node:fs';\nlet s = '';\nfor await (const c of process.stdin) s += c;\nwriteFileSync('unbooked.json', s);\nconsole.log('unbooked');\n",
  // A reversal command that never ends, with a child of its own.
  'stuck.mjs': "import { spawn } from 'node:child_process';\nimport { writeFileSync } from 'node:fs';\nconst child = spawn('sleep', ['30'], { stdio: 'inherit' });\nwriteFileSync('stuck.pid', process.pid + ' ' + child.pid + '\\n');\nsetInterval(() => {}, 1000);\n",
};

// Logs a finished run, prints its id, then acts on it; with "fn" the action itself hangs.
const AUTOMATION = `
import { appendFileSync } from 'node:fs';
import { openGovernor } from ${JSON.stringify(GOVERNOR)};
const [root, mode, ref] = process.argv.slice(2);
const gov = await openGovernor({ root, env: {}, onWarning: () => {} });
const h = await gov.start('book', { text: 'ACME Power' });
await h.finish({ output: 'utilities', confidence: 0.99 });
process.stdout.write(h.id + '\\n');
await gov.act(h.id, async () => {
  appendFileSync('erp.log', 'booked ' + ref + '\\n');
  if (mode === 'fn') {
    process.stdout.write('in fn\\n');
    await new Promise(() => setInterval(() => {}, 1000));
  }
}, { impacts: [{ system: 'erp', ref, action: 'book' }] });
process.stdout.write('acted\\n');
`;

async function until<T>(what: string, probe: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.each(storeBackends('in doubt'))('killed mid-action: $name', (backend) => {
  let w: Governed;
  const strays: number[] = [];
  beforeEach(async () => {
    w = await governedWorkspace(backend, FILES);
    writeFileSync(join(w.root, 'automation.mjs'), AUTOMATION);
  });
  afterEach(async () => {
    for (const pid of strays.splice(0)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await w.cleanup();
  });

  const cli = (...args: string[]) => aigov(args, { cwd: w.root });

  /** Runs the automation until `signal` shows, then SIGKILLs it; returns the run id. */
  async function killDuring(mode: 'fn' | 'notify', ref: string): Promise<string> {
    const child = spawn(process.execPath, ['--import', REGISTER_TS, 'automation.mjs', w.root, mode, ref], { cwd: w.root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    try {
      if (mode === 'fn') await until('the action to start', () => out.includes('in fn\n'));
      else strays.push(Number(await until('the notify command', () => existsSync(join(w.root, 'notify.pid')) && readFileSync(join(w.root, 'notify.pid'), 'utf8').trim())));
    } catch (e) {
      child.kill('SIGKILL');
      throw new Error(`${(e as Error).message}: ${out} ${err}`);
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(out).not.toContain('acted');
    return out.split('\n')[0];
  }

  it('SIGKILL during the action: runs, runs show, trace and revert show it in doubt; nothing books it again', { timeout: 90_000 }, async () => {
    const runId = await killDuring('fn', 'INV-77');
    expect((await w.store.query({ runId, order: 'asc' })).map((e) => e.type)).toEqual(['run_started', 'run_finished', 'action_started']);

    const [list, table, show, traced, tracedText] = await Promise.all([
      cli('runs', '--json'),
      cli('runs'),
      cli('runs', 'show', runId),
      cli('trace', '--system', 'erp', '--ref', 'INV-77', '--json'),
      cli('trace', '--system', 'erp', '--ref', 'INV-77'),
    ]);
    expect(JSON.parse(list.stdout) as RunRow[]).toEqual([expect.objectContaining({ runId, actionState: 'in_doubt', impacts: ['erp:INV-77'] })]);
    expect(table.stdout).toMatch(new RegExp(`${runId}.*ACTION IN DOUBT`));
    expect(show.stdout).toContain('its action started and has not recorded its end: it may have touched erp:INV-77');
    expect((JSON.parse(traced.stdout) as TraceRow[]).map((r) => [r.runId, r.ref, r.action, r.inDoubt])).toEqual([[runId, 'INV-77', 'book', true]]);
    expect(tracedText.stdout).toContain('book (in doubt)');

    // A retry does not book again.
    const gov = await w.governor();
    await expect(gov.act(runId, () => 'again', { impacts: [{ system: 'erp', ref: 'INV-77' }] })).rejects.toMatchObject({ code: 'E_IN_DOUBT' });
    expect(readFileSync(join(w.root, 'erp.log'), 'utf8')).toBe('booked INV-77\n');

    const refused = await cli('revert', runId, '--reason', 'unsure it booked', '--as', 'ann@example.com');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('has not recorded its end (it is still running, or its process died): it may or may not have happened');
    expect(refused.stderr).toContain('--force');
    expect(existsSync(join(w.root, 'unbooked.json'))).toBe(false);

    const forced = await cli('revert', runId, '--reason', 'unsure it booked', '--as', 'ann@example.com', '--force');
    expect(forced.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(w.root, 'unbooked.json'), 'utf8'))).toMatchObject({ runId, inDoubt: true, impacts: [{ system: 'erp', ref: 'INV-77', action: 'book' }] });
    expect((JSON.parse((await cli('runs', '--json')).stdout) as RunRow[])[0]).toMatchObject({ runId, actionState: 'reverted' });
  });

  it('SIGKILL during notify: the action is logged as taken and traced; a retry does not book again', { timeout: 90_000 }, async () => {
    const runId = await killDuring('notify', 'INV-78');
    expect((await w.store.query({ runId, order: 'asc' })).map((e) => e.type)).toEqual(['run_started', 'run_finished', 'action_started', 'action_taken']);
    const traced = JSON.parse((await cli('trace', '--system', 'erp', '--ref', 'INV-78', '--json')).stdout) as TraceRow[];
    expect(traced.map((r) => [r.runId, r.inDoubt, r.actionState])).toEqual([[runId, false, 'taken']]);
    const gov = await w.governor();
    await expect(gov.act(runId, () => 'again', { impacts: [{ system: 'erp', ref: 'INV-78' }] })).rejects.toMatchObject({ code: 'E_ALREADY_ACTED' });
    expect(readFileSync(join(w.root, 'erp.log'), 'utf8')).toBe('booked INV-78\n');
    const r = await cli('revert', runId, '--reason', 'wrong supplier', '--as', 'ann@example.com');
    expect(r.exitCode).toBe(0);
  });

  it('Ctrl-C twice during `aigov revert` kills the reversal command’s process group and records the attempt (exit 130)', { timeout: 90_000 }, async () => {
    const gov = await w.governor();
    const h = await gov.start('stuck', { text: 'x' });
    await h.finish({ output: 'utilities', confidence: 0.99 });
    await gov.act(h.id, () => undefined, { impacts: [{ system: 'erp', ref: 'INV-79' }] });

    const child = spawn(process.execPath, [BIN, 'revert', h.id, '--reason', 'wrong', '--as', 'ann@example.com'], { cwd: w.root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const [leader, sleeper] = (await until('the reversal command', () => existsSync(join(w.root, 'stuck.pid')) && readFileSync(join(w.root, 'stuck.pid'), 'utf8').trim())).split(' ').map(Number);
      strays.push(leader);
      child.kill('SIGINT');
      await until('the first Ctrl-C to be answered', () => err.includes('press Ctrl-C again'));
      expect(alive(leader)).toBe(true);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      await until('the reversal command and its child to die', () => !alive(leader) && !alive(sleeper), 5000);
    } finally {
      child.kill('SIGKILL');
    }
    const last = (await w.store.query({ runId: h.id, order: 'desc', limit: 1 }))[0];
    expect(last).toMatchObject({ type: 'action_reverted', data: { result: { ok: false, interrupted: true } } });
  });
});
