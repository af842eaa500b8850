// Starts bench/server-process.mjs (the test model server in its own process) and
// talks to it over its stdin and stdout: set the latency, read its CPU time.
// `cpus` pins it with taskset (for example "1"), where taskset exists.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./server-process.mjs', import.meta.url));

export const hasTaskset = () => spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;

/** `cmd args` as run on `cpus` (a taskset list such as "0" or "1"); as it is where no pinning is asked. */
export function pinned(cpus, cmd, args) {
  return cpus ? ['taskset', ['-c', String(cpus), cmd, ...args]] : [cmd, args];
}

export async function startServerProcess({ cpus, pad, words, defaultTopLogprobs } = {}) {
  const [cmd, args] = pinned(cpus, process.execPath, [CHILD, JSON.stringify({ pad, words, defaultTopLogprobs })]);
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the model server process exited');
    return JSON.parse(value);
  };
  // One command at a time: each gets the next line.
  let queue = Promise.resolve();
  const ask = (cmd) => {
    const answer = queue.then(() => {
      child.stdin.write(`${JSON.stringify(cmd)}\n`);
      return next();
    });
    queue = answer.catch(() => {});
    return answer;
  };
  const hello = await next();
  return {
    ...hello,
    setLatency: (ms) => ask({ latency: ms }),
    /** CPU time of the server process so far, user + system, in ms. */
    cpuMs: async () => {
      const c = await ask({ cpu: true });
      return c.userMs + c.systemMs;
    },
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.stdin.end();
      }),
  };
}
