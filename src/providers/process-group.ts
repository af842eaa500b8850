// The exec provider's commands run in their own process group, so that a command's own
// children (a shell pipeline, a model server it starts) end when it is stopped.
// aigov's second Ctrl-C exits at once; the exit hook then kills every group still running.
import type { ChildProcess } from 'node:child_process';

/** Process groups are a POSIX notion; on Windows a child is killed alone. */
export const spawnedInGroup = process.platform !== 'win32';

const running = new Set<number>();
let hooked = false;

/** Keeps `pid`'s group to be killed if aigov exits while it runs; returns the untrack function. */
export function trackGroup(pid: number | undefined): () => void {
  if (pid === undefined || !spawnedInGroup) return () => {};
  running.add(pid);
  if (!hooked) {
    hooked = true;
    // 'exit' handlers run synchronously, even inside process.exit(): process.kill is synchronous too.
    process.on('exit', killRunningGroups);
  }
  return () => running.delete(pid);
}

export function killRunningGroups(): void {
  for (const pid of running) signalGroup(pid, 'SIGKILL');
  running.clear();
}

export function killGroup(child: Pick<ChildProcess, 'pid' | 'kill'>, signal: NodeJS.Signals): void {
  if (child.pid !== undefined && spawnedInGroup && signalGroup(child.pid, signal)) return;
  child.kill(signal);
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
