// The exec provider's commands run in their own process group, so that a command's own
// children (a shell pipeline, a model server it starts) end when it is stopped.
// aigov's second Ctrl-C exits at once; the exit hook then kills every group still
// running. A SIGTERM or SIGHUP to aigov itself (a cancelled CI job, a closed terminal)
// ends it without 'exit' handlers, so while groups run those signals are caught, the
// groups killed, and the signal raised again.
import type { ChildProcess } from 'node:child_process';

/** Process groups are a POSIX notion; on Windows a child is killed alone. */
export const spawnedInGroup = process.platform !== 'win32';

const running = new Set<number>();
const FATAL: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

/** Keeps `pid`'s group to be killed if aigov exits while it runs; returns the untrack function. */
export function trackGroup(pid: number | undefined): () => void {
  if (pid === undefined || !spawnedInGroup) return () => {};
  if (running.size === 0) hook();
  running.add(pid);
  return () => {
    if (running.delete(pid) && running.size === 0) unhook();
  };
}

export function killRunningGroups(): void {
  for (const pid of running) signalGroup(pid, 'SIGKILL');
  running.clear();
  unhook();
}

export function killGroup(child: Pick<ChildProcess, 'pid' | 'kill'>, signal: NodeJS.Signals): void {
  if (child.pid !== undefined && spawnedInGroup && signalGroup(child.pid, signal)) return;
  child.kill(signal);
}

function onFatal(signal: NodeJS.Signals): void {
  killRunningGroups();
  // As if never caught: the default action ends the process with this signal. A host
  // program (the library's user) with its own handler has heard this signal already.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function hook(): void {
  // 'exit' handlers run synchronously, even inside process.exit(): process.kill is synchronous too.
  process.on('exit', killRunningGroups);
  for (const s of FATAL) process.on(s, onFatal);
}

function unhook(): void {
  process.off('exit', killRunningGroups);
  for (const s of FATAL) process.off(s, onFatal);
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    // Already gone (ESRCH), or not ours to signal: nothing left to stop.
    return false;
  }
}
