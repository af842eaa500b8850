// Shared by the benchmarks: timing child processes and printing figures beside their limits.
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export function timeCommand(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  const ms = performance.now() - t0;
  if (r.status !== (opts.expectStatus ?? 0)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`);
  return ms;
}

/** The same, without blocking this process's event loop (a benchmark may serve the model from it). */
export function timeCommandAsync(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (status) => {
      const ms = performance.now() - t0;
      if (status !== (opts.expectStatus ?? 0)) reject(new Error(`${cmd} ${args.join(' ')} exited ${status}: ${out}`));
      else resolve(ms);
    });
  });
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function repeat(n, fn) {
  return Array.from({ length: n }, fn);
}

/** Prints `figure | measured | limit | ratio` rows; `better` says whether lower or higher is better. */
export function printTable(title, rows) {
  console.log(`\n${title}`);
  const head = ['figure', 'measured', 'limit', 'ratio', 'goal', 'ok'];
  const body = rows.map((r) => [r.figure, r.measured, r.limit ?? '', r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`, r.goal ?? '', r.ok === undefined ? '' : r.ok ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const b of body) console.log(line(b));
}
