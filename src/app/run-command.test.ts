// Notify and reversal commands as real processes: stdin, exit codes, timeouts
// that kill the whole process group, background children that hold the pipes.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeFailure, runJsonCommand } from './run-command.js';

const REGISTER_TS = fileURLToPath(new URL('../../test/support/register-ts.mjs', import.meta.url));
const RUN_COMMAND = pathToFileURL(fileURLToPath(new URL('./run-command.ts', import.meta.url))).href;

let dir: string;
const strays: number[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aigov-command-'));
});
afterEach(() => {
  for (const pid of strays.splice(0)) kill(pid);
  rmSync(dir, { recursive: true, force: true });
});

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
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

/** Waits (bounded) until `pid` is gone; a killed process may take a moment to be reaped. */
async function gone(pid: number, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !alive(pid);
}

/** Polls (bounded) for a file a command writes, and returns its content. */
async function fileText(path: string, ms = 5000): Promise<string> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (existsSync(path) && readFileSync(path, 'utf8').endsWith('\n')) return readFileSync(path, 'utf8').trim();
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${path} was never written`);
}

describe('runJsonCommand', () => {
  it('hands the payload on stdin and keeps what the command wrote', async () => {
    const r = await runJsonCommand(['node', '-e', 'let s="";process.stdin.on("data",(c)=>s+=c).on("end",()=>{console.log(JSON.parse(s).runId);console.error("note")})'], { runId: 'r-1' }, { cwd: dir });
    expect(r).toEqual({ ok: true, exitCode: 0, stdout: 'r-1', stderr: 'note' });
  });

  it('a non-zero exit fails, with its stderr', async () => {
    const r = await runJsonCommand(['sh', '-c', 'echo "chat is down" >&2; exit 5'], {}, { cwd: dir });
    expect(r).toEqual({ ok: false, exitCode: 5, stdout: '', stderr: 'chat is down' });
    expect(describeFailure(r)).toBe('exit 5: chat is down');
  });

  it('a command that cannot start fails, saying why', async () => {
    const r = await runJsonCommand(['./no-such-command'], {}, { cwd: dir });
    expect(r).toMatchObject({ ok: false, exitCode: null, stderr: expect.stringMatching(/no-such-command.*ENOENT/) });
    expect(describeFailure(r)).toMatch(/^it did not run to the end: could not start/);
  });

  it('a command that does not read its input still runs', async () => {
    const r = await runJsonCommand(['sh', '-c', 'exit 0'], { big: 'x'.repeat(1_000_000) }, { cwd: dir });
    expect(r.ok).toBe(true);
  });

  it('exit 0 counts as success at once, while a background child still holds its pipes', async () => {
    const t0 = Date.now();
    const r = await runJsonCommand(['sh', '-c', `sleep 30 & echo $! > ${join(dir, 'bg.pid')}; echo notified`], {}, { cwd: dir });
    const bg = Number(await fileText(join(dir, 'bg.pid')));
    strays.push(bg);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r).toEqual({ ok: true, exitCode: 0, stdout: 'notified', stderr: '' });
    // Once the command itself ended, what it left in the background is its own business.
    expect(alive(bg)).toBe(true);
  });

  it('at the timeout kills the whole process group, background children too', async () => {
    const t0 = Date.now();
    const r = await runJsonCommand(['sh', '-c', `sleep 30 & echo $! > ${join(dir, 'bg.pid')}; sleep 30`], {}, { cwd: dir, timeoutMs: 300 });
    const elapsed = Date.now() - t0;
    const bg = Number(await fileText(join(dir, 'bg.pid')));
    strays.push(bg);
    expect(elapsed).toBeLessThan(5000);
    expect(r).toMatchObject({ ok: false, exitCode: null, timedOut: true, signal: 'SIGTERM' });
    expect(r.stderr).toBe('killed after the 300ms timeout');
    expect(describeFailure(r)).toBe('it timed out: killed after the 300ms timeout');
    expect(await gone(bg)).toBe(true);
  });

  it('a command that ignores SIGTERM is killed with SIGKILL', async () => {
    const r = await runJsonCommand(['sh', '-c', "trap '' TERM; sleep 30 & wait"], {}, { cwd: dir, timeoutMs: 200 });
    expect(r).toMatchObject({ ok: false, timedOut: true, signal: 'SIGKILL' });
  });

  it('aborting kills the process group and says interrupted', async () => {
    const controller = new AbortController();
    const pending = runJsonCommand(['sh', '-c', `sleep 30 & echo $! > ${join(dir, 'bg.pid')}; sleep 30`], {}, { cwd: dir, signal: controller.signal });
    const bg = Number(await fileText(join(dir, 'bg.pid')));
    strays.push(bg);
    controller.abort();
    const r = await pending;
    expect(r).toMatchObject({ ok: false, exitCode: null, interrupted: true });
    expect(describeFailure(r)).toBe('it was interrupted: killed: interrupted');
    expect(await gone(bg)).toBe(true);
  });

  it('a process that exits while a command runs takes the command’s group with it', async () => {
    const script = join(dir, 'parent.mjs');
    writeFileSync(
      script,
      `import { runJsonCommand } from ${JSON.stringify(RUN_COMMAND)};
void runJsonCommand(['sh', '-c', 'sleep 30 & echo $! > bg.pid; sleep 30'], {}, { cwd: ${JSON.stringify(dir)} });
const { existsSync, readFileSync } = await import('node:fs');
for (let i = 0; i < 250 && !(existsSync('bg.pid') && readFileSync('bg.pid', 'utf8').endsWith('\\n')); i++) await new Promise((r) => setTimeout(r, 20));
process.exit(0);
`,
    );
    const child = spawn(process.execPath, ['--import', REGISTER_TS, script], { cwd: dir, stdio: 'ignore' });
    await new Promise((resolve) => child.on('exit', resolve));
    const bg = Number(await fileText(join(dir, 'bg.pid')));
    strays.push(bg);
    expect(await gone(bg)).toBe(true);
  });

  it('clips long output', async () => {
    const r = await runJsonCommand(['node', '-e', 'process.stdout.write("x".repeat(5000))'], {}, { cwd: dir });
    expect(r.stdout).toBe(`${'x'.repeat(4000)}… (1000 more characters)`);
  });
});
