// The library's gov.run against the test model server: the same gateway as eval's,
// plus the run log (two appends a run). The store is SQLite on /dev/shm where there
// is one, so that the disk's fsync does not stand for the call path's cost.
//   node bench/govern.mjs [--runs N] [--concurrency C] [--latency MS] [NAME=DIST ...]
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printTable, timeCommandAsync } from './lib.mjs';
import { startServerProcess } from './server.mjs';

const BIN = fileURLToPath(new URL('../bin/aigov.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist', import.meta.url));
const CHILD = fileURLToPath(new URL('./govern-child.mjs', import.meta.url));
const PROBE = fileURLToPath(new URL('./peak-rss.mjs', import.meta.url));

function governedWorkspace(baseURL) {
  const root = mkdtempSync(join(tmpdir(), 'aigov-bench-gov-'));
  const storeDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'aigov-bench-store-'));
  for (const d of ['prompts', 'automations']) mkdirSync(join(root, d));
  writeFileSync(join(root, 'aigov.yaml'), `version: 1\nmodels:\n  fast: openai:gpt-4o-mini\nproviders:\n  openai: { baseURL: ${baseURL}, apiKeyEnv: BENCH_KEY }\nstore: ${JSON.stringify(`sqlite:${join(storeDir, 'runs.db')}`)}\n`);
  writeFileSync(join(root, 'prompts/label.yaml'), 'id: label\nversion: 1\nmodel: fast\nmessages:\n  - role: user\n    content: "Label {{n}}"\nvars:\n  n: { type: string }\n');
  writeFileSync(join(root, 'automations/label.yaml'), 'id: label\nname: Label\nowner: ops@example.com\ntier: 1\nprompt: label\n');
  return { root, cleanup: () => [root, storeDir].forEach((d) => rmSync(d, { recursive: true, force: true })) };
}

/** One process making `runs` gov.run calls: wall time, CPU, main-thread CPU, peak RSS, the server's CPU. */
export async function governRun(server, { runs, concurrency, latencyMs, dist = DIST }) {
  const w = governedWorkspace(server.openaiBaseURL);
  const env = { ...process.env, BENCH_KEY: 'sk-bench', NO_COLOR: '1' };
  try {
    await server.setLatency(0);
    await timeCommandAsync(process.execPath, [BIN, 'pin', '--quiet'], { cwd: w.root, env });
    await server.setLatency(latencyMs);
    const probe = join(w.root, 'probe.json');
    const before = await server.cpuMs();
    const ms = await timeCommandAsync(process.execPath, ['--import', PROBE, CHILD, dist, w.root, String(runs), String(concurrency)], { cwd: w.root, env: { ...env, BENCH_RSS_FILE: probe } });
    const serverCpuMs = (await server.cpuMs()) - before;
    return { ms, serverCpuMs, ...JSON.parse(readFileSync(probe, 'utf8')) };
  } finally {
    w.cleanup();
  }
}

export async function benchGovern({ runs = 2000, concurrency = 32, latencyMs = 20, times = 1, builds = [{ name: 'this build', dist: DIST }] } = {}) {
  const server = await startServerProcess({});
  const rows = [];
  try {
    for (const b of builds) {
      const xs = [];
      for (let i = 0; i < times; i++) xs.push(await governRun(server, { runs, concurrency, latencyMs, dist: b.dist }));
      const m = (k) => median(xs.map((x) => x[k]));
      const limit = Math.ceil(runs / concurrency) * latencyMs;
      rows.push({ figure: `${b.name}: ${runs} gov.run, ${latencyMs} ms, ${concurrency} at a time`, measured: `${(m('ms') / 1000).toFixed(2)} s`, limit: `${(limit / 1000).toFixed(2)} s`, ratio: m('ms') / limit });
      rows.push({ figure: '  main-thread CPU per run (store included)', measured: `${(((m('mainThreadMs') - m('mainThreadBeforeFirstMs')) / runs)).toFixed(3)} ms` });
      rows.push({ figure: '  CPU, main thread / all threads; peak memory', measured: `${(m('mainThreadMs') / 1000).toFixed(2)} s / ${(m('cpuMs') / 1000).toFixed(2)} s; ${(m('rss') / 1048576).toFixed(0)} MiB` });
      rows.push({ figure: '  model server CPU (its own process)', measured: `${(m('serverCpuMs') / 1000).toFixed(2)} s` });
    }
  } finally {
    await server.close();
  }
  printTable(`the library's gov.run (the test model server in its own process; SQLite run log; median of ${times})`, rows);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const value = (flag, d) => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args.splice(i, 2)[1]) : d;
  };
  const runs = value('--runs', 2000);
  const concurrency = value('--concurrency', 32);
  const latencyMs = value('--latency', 20);
  const times = value('--times', 1);
  const builds = args.map((a) => ({ name: a.split('=')[0], dist: a.split('=')[1] }));
  await benchGovern({ runs, concurrency, latencyMs, times, ...(builds.length ? { builds } : {}) });
}
