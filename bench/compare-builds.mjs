// Builds of aigov on the same eval workload, run in turn (A B C, then B C A, ...) so
// that a shared, noisy machine weighs on all alike:
//   node bench/compare-builds.mjs [--runs N] [--cases N --latency MS --concurrency C] [--pin] NAME=BIN NAME=BIN ...
// The workload defaults to bench/eval.mjs's first: 500 cases, 200 ms model latency,
// concurrency 32, no cache; its limit is ceil(500 / 32) = 16 rounds of 200 ms, 3.2 s.
// Each figure is the median over the runs, with the machine's load average beside it.
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { limitMs, scenario, warmServer } from './eval.mjs';
import { median } from './lib.mjs';
import { startServerProcess } from './server.mjs';

const args = process.argv.slice(2);
const take = (flag, fallback) => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : fallback;
};
const runs = take('--runs', 5);
const workload = { cases: take('--cases', 500), latencyMs: take('--latency', 200), concurrency: take('--concurrency', 32) };
const pin = args.includes('--pin') ? (args.splice(args.indexOf('--pin'), 1), true) : false;
const builds = args.map((a) => {
  const [name, bin] = a.split('=');
  return { name, bin: bin && resolve(bin), runs: [] };
});
if (builds.length < 1 || builds.some((b) => !b.bin)) {
  console.error('usage: node bench/compare-builds.mjs [--runs N] [--cases N --latency MS --concurrency C] [--pin] NAME=BIN ...');
  process.exit(2);
}
const limit = limitMs(workload);
const MiB = 1048576;

const server = await startServerProcess({ cpus: pin ? '1' : undefined });
const loads = [];
try {
  await warmServer(server, { bin: builds[0].bin, cpus: pin ? '0' : undefined });
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < builds.length; j++) {
      const b = builds[(i + j) % builds.length];
      const r = await scenario(server, { ...workload, bin: b.bin, cpus: pin ? '0' : undefined });
      rmSync(r.root, { recursive: true, force: true });
      b.runs.push(r.run);
      loads.push(loadavg()[0]);
      console.log(`run ${i + 1} ${b.name}: ${(r.run.ms / 1000).toFixed(2)} s (${(r.run.ms / limit).toFixed(2)}x), ${(r.run.rss / MiB).toFixed(0)} MiB, main thread ${(r.run.mainThreadMs / 1000).toFixed(2)} s, server ${(r.run.serverCpuMs / 1000).toFixed(2)} s, load ${loadavg()[0].toFixed(1)}`);
    }
  }
} finally {
  await server.close();
}
console.log(`\n${workload.cases} cases, ${workload.latencyMs} ms, concurrency ${workload.concurrency}; limit ${(limit / 1000).toFixed(2)} s; ${runs} runs each${pin ? ', aigov on core 0 and the server on core 1' : ''}; load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`);
for (const b of builds) {
  const m = (k) => median(b.runs.map((r) => r[k]));
  const perCall = (m('mainThreadAtLastMs') - m('mainThreadBeforeFirstMs')) / workload.cases;
  console.log(
    `${b.name}: median ${(m('ms') / 1000).toFixed(2)} s = ${(m('ms') / limit).toFixed(2)}x (best ${(Math.min(...b.runs.map((r) => r.ms)) / 1000).toFixed(2)}, worst ${(Math.max(...b.runs.map((r) => r.ms)) / 1000).toFixed(2)}), ` +
      `peak ${(m('rss') / MiB).toFixed(0)} MiB, main thread ${(m('mainThreadMs') / 1000).toFixed(2)} s (${(m('mainThreadBeforeFirstMs') / 1000).toFixed(2)} s before the first request, then ${perCall.toFixed(3)} ms a call to the last answer, ${((m('mainThreadMs') - m('mainThreadAtLastMs')) / 1000).toFixed(2)} s after it), all threads ${(m('cpuMs') / 1000).toFixed(2)} s, server ${(m('serverCpuMs') / 1000).toFixed(2)} s`,
  );
}
