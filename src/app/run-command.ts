// Runs an automation's notify or reversal command with a JSON document on stdin.
//
// Each command gets its own process group (spawned detached), so a timeout or
// an interrupt kills everything it started, not just its first process. The
// command's end is its own exit: a background child it leaves holding stdout
// or stderr does not keep the caller waiting, nor turn an exit 0 into a failure.
import { spawn, type ChildProcess } from 'node:child_process';

export interface CommandResult {
  ok: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Killed at its timeout (the whole process group). */
  timedOut?: true;
  /** Killed because the caller gave up (a second Ctrl-C). */
  interrupted?: true;
  /** The signal that ended it, when one did. */
  signal?: string;
}

export interface CommandOptions {
  cwd: string;
  /** Default 60 s. */
  timeoutMs?: number;
  /** Aborting kills the command's process group; the result says `interrupted`. */
  signal?: AbortSignal;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
/** After the command exits, how long its pipes may take to drain before they are cut. */
const DRAIN_MS = 200;
/** After SIGTERM, how long the group has before SIGKILL. */
const KILL_GRACE_MS = 1000;
/** What is kept of each stream: command output goes into the run log. */
const KEEP = 4000;

// Process groups still led by a running command: killed if this process exits
// first, since detached groups would otherwise outlive it.
const live = new Set<number>();
let exitHook = false;

export function runJsonCommand(command: readonly string[], payload: unknown, opts: CommandOptions): Promise<CommandResult> {
  const [file, ...args] = command;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(file, args, { cwd: opts.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ ok: false, exitCode: null, stdout: '', stderr: `could not start ${file}: ${(err as Error).message}` });
      return;
    }
    const out = collector();
    const err = collector();
    child.stdout!.on('data', out.add);
    child.stderr!.on('data', err.add);
    child.stdin!.on('error', () => undefined); // EPIPE: a command need not read its input
    let timedOut = false;
    let interrupted = false;
    let settled = false;
    const pid = child.pid;
    if (pid !== undefined) track(pid);

    const kill = (): void => {
      if (pid === undefined) return;
      killGroup(pid, 'SIGTERM');
      setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = (): void => {
      interrupted = true;
      kill();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });

    const settle = (r: Omit<CommandResult, 'stdout' | 'stderr'> & { stderr?: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined) live.delete(pid);
      // A background child may still hold the pipes: stop reading them.
      child.stdout!.destroy();
      child.stderr!.destroy();
      const why = timedOut ? `killed after the ${seconds(timeoutMs)} timeout` : interrupted ? 'killed: interrupted' : '';
      const stderr = [err.text(), r.stderr ?? '', why].filter(Boolean).join('\n');
      resolve({ ...r, stdout: clip(out.text()), stderr: clip(stderr) });
    };

    child.on('error', (e) => settle({ ok: false, exitCode: null, stderr: `could not start ${file}: ${e.message}` }));
    child.on('exit', (code, signal) => {
      const result: Omit<CommandResult, 'stdout' | 'stderr'> = { ok: code === 0 && !timedOut && !interrupted, exitCode: code };
      if (signal) result.signal = signal;
      if (timedOut) result.timedOut = true;
      if (interrupted) result.interrupted = true;
      let open = 2;
      const closed = (): void => {
        if (--open === 0) settle(result);
      };
      child.stdout!.once('close', closed);
      child.stderr!.once('close', closed);
      setTimeout(() => settle(result), DRAIN_MS).unref();
    });
    child.stdin!.end(JSON.stringify(payload));
  });
}

/** Kills the process group of every command still running (the CLI's second Ctrl-C, or this process exiting). */
export function killRunningCommands(): void {
  for (const pid of live) killGroup(pid, 'SIGKILL');
  live.clear();
}

/** One line for a person: how the command ended and the first line it wrote to stderr. */
export function describeFailure(r: CommandResult): string {
  const how = r.timedOut ? 'it timed out' : r.interrupted ? 'it was interrupted' : r.exitCode === null ? 'it did not run to the end' : `exit ${r.exitCode}`;
  const why = r.stderr.split('\n')[0];
  return why ? `${how}: ${why}` : how;
}

function track(pid: number): void {
  live.add(pid);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', killRunningCommands);
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

function collector(): { add: (chunk: Buffer) => void; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    add: (chunk) => {
      // Keep a little more than is shown, so the clip note counts right for small overflows.
      if (size > KEEP * 4) return;
      chunks.push(chunk);
      size += chunk.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8').replace(/\n$/, ''),
  };
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function clip(s: string): string {
  return s.length > KEEP ? `${s.slice(0, KEEP)}… (${s.length - KEEP} more characters)` : s;
}
