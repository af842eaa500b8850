// Preloaded into a benchmarked process (`node --import ./bench/peak-rss.mjs ...`):
// on exit it writes, as JSON to $BENCH_RSS_FILE, the process's peak resident memory
// (bytes), its CPU time (all threads: main, GC helpers, the libuv pool), its main
// thread's CPU time alone, and when the first model request was made (wall time
// since the process started, and the main thread's CPU by then), all in ms.
// With BENCH_CALLS=N it also records the main thread's CPU when the Nth answer is
// in (`mainThreadAtLastMs`): what the calls cost, apart from the fixed cost of
// the report and the run log after them.
// With BENCH_HEAP_AT=N it also collects all garbage once the Nth answer is in and
// records the heap then in use (`liveHeap`, bytes): what the run keeps, not what
// the collector has yet to free.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';


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
  let first = null;
  // aigov's own HTTP pool and undici announce every request; the first is all that is wanted here.
  const REQUESTS = ['aigov:http:request', 'undici:request:create'];
  const ANSWERS = ['aigov:http:answer', 'undici:request:trailers'];
  const onCreate = () => {
    first = { firstRequestMs: performance.now(), mainThreadBeforeFirstMs: mainThreadMs() };
    for (const name of REQUESTS) unsubscribe(name, onCreate);
  };
  for (const name of REQUESTS) subscribe(name, onCreate);
  let last = null;
  const calls = Number(process.env.BENCH_CALLS);
  if (calls > 0) {
    let answers = 0;
    const onAnswer = () => {
      if (++answers < calls) return;
      for (const name of ANSWERS) unsubscribe(name, onAnswer);
      last = { mainThreadAtLastMs: mainThreadMs(), lastAnswerMs: performance.now() };
    };
    for (const name of ANSWERS) subscribe(name, onAnswer);
  }
  let liveHeap;
  const heapAt = Number(process.env.BENCH_HEAP_AT);
  if (heapAt > 0) {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc');
    let answers = 0;
    const onAnswer = () => {
      if (++answers < heapAt) return;
      for (const name of ANSWERS) unsubscribe(name, onAnswer);
      gc();
      liveHeap = process.memoryUsage().heapUsed;
    };
    for (const name of ANSWERS) subscribe(name, onAnswer);
  }
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ rss: peakBytes(), cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, mainThreadMs: mainThreadMs(), wallMs: performance.now(), liveHeap, ...first, ...last }));
  });
}
