// Preloaded into a benchmarked process (`node --import ./bench/peak-rss.mjs ...`):
// on exit it writes the process's peak resident memory, in bytes, to $BENCH_RSS_FILE.
// On Linux it is VmHWM from /proc/self/status: getrusage's maxRSS survives
// fork and exec, so a child started by a big parent reports the parent's size.
import { readFileSync, writeFileSync } from 'node:fs';

export function peakBytes() {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

const file = process.env.BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(peakBytes())));
