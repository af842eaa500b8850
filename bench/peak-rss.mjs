// Preloaded into a benchmarked process (`node --import ./bench/peak-rss.mjs ...`):
// on exit it writes, as JSON to $BENCH_RSS_FILE, the process's peak resident memory
// (bytes), its CPU time (all threads: main, GC helpers, the libuv pool) and its
// main thread's CPU time alone, in ms.
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Peak resident memory in bytes. On Linux it is VmHWM from /proc/self/status:
 * getrusage's maxRSS survives fork and exec, so a child started by a big parent
 * reports the parent's size.
 */
export function peakBytes() {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** utime + stime of the main thread (its task id is the pid), in ms; null off Linux. */
function mainThreadMs() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5), counted from field 3 here; in USER_HZ, which is 100 on Linux.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ rss: peakBytes(), cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, mainThreadMs: mainThreadMs() }));
  });
}
