// Eval throughput against the test model server: N cases at a fixed model latency
// and concurrency, no cache, each run one whole `aigov eval` process. The limit is
// what the latency allows with zero overhead: ceil(N / concurrency) rounds of one
// latency each. The model server runs in a process of its own, so its CPU is
// reported beside aigov's, and warmed up by one uncounted run before the measured
// ones; `--pin` puts it on core 1 and aigov on core 0.
//   node bench/eval.mjs [--pin] [--runs N] [--only 500,5000,20000,memory,cached]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printTable, timeCommandAsync } from './lib.mjs';
import { pinned, startServerProcess } from './server.mjs';

const BIN = fileURLToPath(new URL('../bin/aigov.js', import.meta.url));
const PROBE = fileURLToPath(new URL('./peak-rss.mjs', import.meta.url));
const MiB = 1048576;

/** The workloads and their goals: time within `ratio` of the limit, peak RSS under `mib`. */
export const WORKLOADS = [
  { name: '500', cases: 500, latencyMs: 200, concurrency: 32, ratio: 1.12 },
  { name: '5000', cases: 5000, latencyMs: 50, concurrency: 64, ratio: 1.25, mib: 150 },
  { name: '20000', cases: 20000, latencyMs: 20, concurrency: 128, ratio: 2.0, mib: 200 },
];
/** Main-thread CPU per model call, from the first request to the process's exit (the report included). */
export const CPU_PER_CALL_MS = 0.3;

export const limitMs = ({ cases, latencyMs, concurrency }) => Math.ceil(cases / concurrency) * latencyMs;

/**
 * A workspace with one suite of `cases` cases, each passing. `kind`: `equals`
 * (the answer is the case's label), `long` (the label then padding: starts-with),
 * `logprobs` (as `long`, asking for logprobs with 20 alternatives a token).
 */
export function workspace(baseURL, cases, kind = 'equals') {
  const root = mkdtempSync(join(tmpdir(), 'aigov-bench-'));
  for (const d of ['prompts', 'evals']) mkdirSync(join(root, d));
  writeFileSync(join(root, 'aigov.yaml'), `version: 1\nmodels:\n  fast: openai:gpt-4o-mini\nproviders:\n  openai: { baseURL: ${baseURL}, apiKeyEnv: BENCH_KEY }\n`);
  const logprobs = kind === 'logprobs' ? 'params: { top_logprobs: 20 }\noutput: { type: text, confidence: logprobs }\n' : '';
  writeFileSync(join(root, 'prompts/echo.yaml'), `id: echo\nversion: 1\nmodel: fast\n${logprobs}messages:\n  - role: user\n    content: "Label {{n}}"\nvars:\n  n: { type: string }\n`);
  const lines = ['suite: echo', 'prompt: echo', 'cases:'];
  for (let i = 0; i < cases; i++) {
    lines.push(`  - id: c${i}`, `    vars: { n: "${i}" }`);
    lines.push(kind === 'equals' ? `    expect: label-${i}` : `    assert: [{ type: starts-with, value: "label-${i} " }]`);
  }
  writeFileSync(join(root, 'evals/echo.yaml'), `${lines.join('\n')}\n`);
  return root;
}

/** One `aigov eval` process: wall time, peak RSS, CPU (all threads) and main-thread CPU; `heapAt`: see peak-rss.mjs. */
export async function evalRun(root, args, env, { bin = BIN, cpus, heapAt, calls } = {}) {
  const probeFile = join(root, 'probe.json');
  const [cmd, argv] = pinned(cpus, process.execPath, ['--import', PROBE, bin, 'eval', '--quiet', ...args]);
  const ms = await timeCommandAsync(cmd, argv, { cwd: root, env: { ...process.env, ...env, BENCH_RSS_FILE: probeFile, ...(heapAt ? { BENCH_HEAP_AT: String(heapAt) } : {}), ...(calls ? { BENCH_CALLS: String(calls) } : {}) } });
  return { ms, ...JSON.parse(readFileSync(probeFile, 'utf8')) };
}

/** Pins the workspace (latency 0), then times one eval of it and the server's CPU during it. */
export async function scenario(server, { cases, latencyMs, concurrency, kind = 'equals', bin = BIN, cpus, heapAt }) {
  const root = workspace(server.openaiBaseURL, cases, kind);
  const env = { BENCH_KEY: 'sk-bench', NO_COLOR: '1' };
  try {
    await server.setLatency(0);
    await timeCommandAsync(process.execPath, [bin, 'pin', '--quiet'], { cwd: root, env: { ...process.env, ...env } });
    await server.setLatency(latencyMs);
    const before = await server.cpuMs();
    const run = await evalRun(root, ['--no-cache', '--concurrency', String(concurrency)], env, { bin, cpus, heapAt, calls: cases });
    const serverCpuMs = (await server.cpuMs()) - before;
    return { root, env, run: { ...run, serverCpuMs }, limit: limitMs({ cases, latencyMs, concurrency }) };
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

/**
 * One uncounted run of 2,000 cases at no latency, so that the model server's own
 * warm-up (its code compiled as it first runs) is not counted against aigov.
 */
export async function warmServer(server, { bin = BIN, cpus } = {}) {
  const r = await scenario(server, { cases: 2000, latencyMs: 0, concurrency: 64, bin, cpus });
  rmSync(r.root, { recursive: true, force: true });
}

/** Runs `times` scenarios and keeps the medians of each figure. */
async function measured(server, w, times, cpus) {
  const runs = [];
  for (let i = 0; i < times; i++) {
    const r = await scenario(server, { ...w, cpus });
    rmSync(r.root, { recursive: true, force: true });
    runs.push(r.run);
  }
  const m = (k) => median(runs.map((r) => r[k]));
  return { ms: m('ms'), rss: m('rss'), cpuMs: m('cpuMs'), mainThreadMs: m('mainThreadMs'), beforeMs: m('mainThreadBeforeFirstMs'), atLastMs: m('mainThreadAtLastMs'), firstMs: m('firstRequestMs'), serverCpuMs: m('serverCpuMs'), runs };
}

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

function workloadRows(w, r) {
  const limit = limitMs(w);
  const title = `${w.cases} cases, ${w.latencyMs} ms, concurrency ${w.concurrency}`;
  const rows = [{ figure: title, measured: s(r.ms), limit: `${s(limit)} (${Math.ceil(w.cases / w.concurrency)} rounds)`, ratio: r.ms / limit, goal: `<= ${w.ratio}x`, ok: r.ms / limit <= w.ratio }];
  if (r.runs.length > 1) rows.push({ figure: `  its ${r.runs.length} runs`, measured: r.runs.map((x) => (x.ms / 1000).toFixed(2)).join(' ') });
  rows.push({ figure: '  peak memory', measured: `${(r.rss / MiB).toFixed(0)} MiB`, ...(w.mib ? { limit: `${w.mib} MiB`, ratio: r.rss / (w.mib * MiB), goal: `< ${w.mib} MiB`, ok: r.rss < w.mib * MiB } : {}) });
  // From the first request to the last answer; the fixed costs before and after are their own rows.
  const perCall = (r.atLastMs - r.beforeMs) / w.cases;
  rows.push({ figure: '  aigov main-thread CPU per call', measured: `${perCall.toFixed(3)} ms`, limit: `${CPU_PER_CALL_MS} ms`, ratio: perCall / CPU_PER_CALL_MS, goal: `<= ${CPU_PER_CALL_MS} ms`, ok: perCall <= CPU_PER_CALL_MS });
  rows.push({ figure: '  aigov before the first request', measured: `${s(r.beforeMs)} CPU, sent at ${s(r.firstMs)}` });
  rows.push({ figure: '  aigov after the last answer (report, run log, exit)', measured: `${s(r.mainThreadMs - r.atLastMs)} CPU` });
  rows.push({ figure: '  aigov CPU, main thread / all threads', measured: `${s(r.mainThreadMs)} / ${s(r.cpuMs)}` });
  rows.push({ figure: '  model server CPU (its own process)', measured: `${s(r.serverCpuMs)}` });
  return rows;
}

/**
 * Memory per case: the slope, between a small and a large run at the same latency
 * and concurrency, of the heap in use once the last answers are in and all garbage
 * is collected (what the run keeps: the workspace, the plan, the results), beside
 * the slope of peak RSS (which also holds garbage not yet collected). Three answer
 * shapes: short; ~2 KB of text (kept in the report, so it costs its size a case);
 * short text with logprobs of 20 alternatives a token (~25 KB on the wire, not kept:
 * the kept memory must not grow).
 */
async function memoryRows(servers, cpus) {
  const small = 2000;
  const large = 10000;
  const base = { latencyMs: 20, concurrency: 128 };
  const shapes = [
    { label: 'short answers', server: servers.short, kind: 'equals' },
    { label: '2 KB answers, kept in the report', server: servers.long, kind: 'long' },
    { label: '21-token answers with 20 logprobs a token (~25 KB on the wire, 50 B kept)', server: servers.chatty, kind: 'logprobs' },
  ];
  const rows = [];
  for (const shape of shapes) {
    const run = async (cases) => {
      // Measured once all but the calls still in flight have answered.
      const r = await scenario(shape.server, { ...base, cases, kind: shape.kind, cpus, heapAt: cases - base.concurrency });
      rmSync(r.root, { recursive: true, force: true });
      return r.run;
    };
    const x = await run(small);
    const y = await run(large);
    const kept = (y.liveHeap - x.liveHeap) / (large - small);
    const peak = (y.rss - x.rss) / (large - small);
    rows.push({
      figure: `memory per case, ${shape.label}`,
      measured: `${(kept / 1024).toFixed(2)} KiB kept`,
      limit: `heap ${(x.liveHeap / MiB).toFixed(0)} -> ${(y.liveHeap / MiB).toFixed(0)} MiB, peak RSS ${(x.rss / MiB).toFixed(0)} -> ${(y.rss / MiB).toFixed(0)} MiB (${(peak / 1024).toFixed(2)} KiB a case) for ${small} -> ${large} cases`,
    });
  }
  return rows;
}

export async function benchEval({ pin = false, runs = 1, only } = {}) {
  const want = (name) => !only || only.includes(name);
  const cpus = pin ? '0' : undefined;
  const server = await startServerProcess({ cpus: pin ? '1' : undefined });
  const rows = [];
  const load = [loadavg()[0]];
  try {
    await warmServer(server, { cpus });
    for (const w of WORKLOADS) {
      if (!want(w.name)) continue;
      rows.push(...workloadRows(w, await measured(server, w, runs, cpus)));
      load.push(loadavg()[0]);
    }
    if (want('cached')) {
      // Fill the cache, then time a run answered from it alone.
      const a = await scenario(server, { cases: 500, latencyMs: 0, concurrency: 32, cpus });
      await evalRun(a.root, ['--concurrency', '32'], a.env, { cpus });
      const cached = await evalRun(a.root, ['--concurrency', '32'], a.env, { cpus });
      rmSync(a.root, { recursive: true, force: true });
      rows.push({ figure: '500 cases, fully cached', measured: s(cached.ms), limit: '0.5 s', ratio: cached.ms / 500, goal: '< 0.5 s', ok: cached.ms < 500 });
    }
    if (want('memory')) {
      const long = await startServerProcess({ cpus: pin ? '1' : undefined, pad: 2000 });
      const chatty = await startServerProcess({ cpus: pin ? '1' : undefined, words: 20 });
      try {
        rows.push(...(await memoryRows({ short: server, long, chatty }, cpus)));
      } finally {
        await Promise.all([long.close(), chatty.close()]);
      }
      load.push(loadavg()[0]);
    }
  } finally {
    await server.close();
  }
  const how = pin ? 'aigov on core 0, the model server on core 1 (taskset)' : 'aigov and the model server unpinned';
  printTable(`eval throughput (the test model server in its own process on 127.0.0.1, --no-cache; ${how}; median of ${runs}; load average ${load.map((l) => l.toFixed(1)).join(', ')})`, rows);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const value = (flag) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  await benchEval({ pin: args.includes('--pin'), runs: Number(value('--runs') ?? 1), only: value('--only')?.split(',') });
}
