// Builds of aigov on the same workload, run in turn (A B C, then B C A, ...) so that a
// shared, noisy machine weighs on all alike:
//   node bench/compare-builds.mjs [--runs N] NAME=BIN NAME=BIN ...
// The workload is bench/eval.mjs's first: 500 cases, 200 ms model latency,
// concurrency 32, no cache; its physical limit is 500 x 200 / 32 = 3.125 s.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { labelServer, scenario } from './eval.mjs';
import { median } from './lib.mjs';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 5;
const builds = args.map((a) => {
  const [name, bin] = a.split('=');
  return { name, bin: resolve(bin), times: [] };
});
if (builds.length < 2 || builds.some((b) => !b.bin)) {
  console.error('usage: node bench/compare-builds.mjs [--runs N] NAME=BIN NAME=BIN ...');
  process.exit(2);
}
const workload = { cases: 500, latencyMs: 200, concurrency: 32 };
const limit = (workload.cases * workload.latencyMs) / workload.concurrency;

const server = await labelServer();
try {
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < builds.length; j++) {
      const b = builds[(i + j) % builds.length];
      const r = await scenario(server, { ...workload, bin: b.bin });
      rmSync(r.root, { recursive: true, force: true });
      b.times.push(r.run.ms);
      console.log(`run ${i + 1} ${b.name}: ${(r.run.ms / 1000).toFixed(2)} s (${(r.run.ms / limit).toFixed(2)}x the limit), peak RSS ${(r.run.rss / 1048576).toFixed(0)} MiB`);
    }
  }
} finally {
  await server.close();
}
for (const b of builds) {
  const xs = b.times;
  console.log(`${b.name}: median ${(median(xs) / 1000).toFixed(2)} s = ${(median(xs) / limit).toFixed(2)}x the limit, best ${(Math.min(...xs) / 1000).toFixed(2)} s, worst ${(Math.max(...xs) / 1000).toFixed(2)} s`);
}
