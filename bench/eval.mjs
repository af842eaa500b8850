// Eval throughput against the test model server: N cases at a fixed model latency
// and concurrency, no cache. The physical limit is N x latency / concurrency: what
// the model's latency allows even with zero overhead. Also the same run fully cached.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startModelServer } from '../test/support/model-server.mjs';
import { printTable, timeCommandAsync } from './lib.mjs';

const BIN = fileURLToPath(new URL('../bin/aigov.js', import.meta.url));
const PROBE = fileURLToPath(new URL('./peak-rss.mjs', import.meta.url));

export function workspace(baseURL, cases) {
  const root = mkdtempSync(join(tmpdir(), 'aigov-bench-'));
  for (const d of ['prompts', 'evals']) mkdirSync(join(root, d));
  writeFileSync(join(root, 'aigov.yaml'), `version: 1\nmodels:\n  fast: openai:gpt-4o-mini\nproviders:\n  openai: { baseURL: ${baseURL}, apiKeyEnv: BENCH_KEY }\n`);
  writeFileSync(join(root, 'prompts/echo.yaml'), 'id: echo\nversion: 1\nmodel: fast\nmessages:\n  - role: user\n    content: "Label {{n}}"\nvars:\n  n: { type: string }\n');
  const lines = ['suite: echo', 'prompt: echo', 'cases:'];
  for (let i = 0; i < cases; i++) lines.push(`  - id: c${i}`, `    vars: { n: "${i}" }`, `    expect: label-${i}`);
  writeFileSync(join(root, 'evals/echo.yaml'), `${lines.join('\n')}\n`);
  return root;
}

export async function evalRun(root, args, env, bin = BIN) {
  const rssFile = join(root, 'rss');
  const ms = await timeCommandAsync('node', ['--import', PROBE, bin, 'eval', '--quiet', ...args], { cwd: root, env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile } });
  return { ms, rss: Number(readFileSync(rssFile, 'utf8')) };
}

export async function scenario(server, { cases, latencyMs, concurrency, bin = BIN }) {
  const root = workspace(server.openaiBaseURL, cases);
  const env = { BENCH_KEY: 'sk-bench', NO_COLOR: '1' };
  try {
    server.setLatency(0);
    await timeCommandAsync('node', [bin, 'pin', '--quiet'], { cwd: root, env: { ...process.env, ...env } });
    server.setLatency(latencyMs);
    const run = await evalRun(root, ['--no-cache', '--concurrency', String(concurrency)], env, bin);
    return { root, env, run, limit: (cases * latencyMs) / concurrency };
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

// Answers every case right; `aigov pin`'s one-token call gets an OK.
export const labelServer = () =>
  startModelServer({
    record: false,
    answer: (req) => {
      const n = /Label (\d+)/.exec(req.messages.at(-1).content)?.[1];
      return n === undefined ? 'OK' : `label-${n}`;
    },
  });

export async function benchEval() {
  const server = await labelServer();
  const rows = [];
  try {
    const a = await scenario(server, { cases: 500, latencyMs: 200, concurrency: 32 });
    rows.push({ figure: '500 cases, 200 ms, concurrency 32', measured: `${(a.run.ms / 1000).toFixed(2)} s`, limit: `${(a.limit / 1000).toFixed(3)} s`, ratio: a.run.ms / a.limit, goal: '<= 1.25x', ok: a.run.ms / a.limit <= 1.25 });
    // Fill the cache, then time a run answered from it alone.
    await evalRun(a.root, ['--concurrency', '32'], a.env);
    server.setLatency(200);
    const cached = await evalRun(a.root, ['--concurrency', '32'], a.env);
    rows.push({ figure: 'the same 500 cases, fully cached', measured: `${(cached.ms / 1000).toFixed(2)} s`, limit: '0.5 s', ratio: cached.ms / 500, goal: '< 0.5 s', ok: cached.ms < 500 });
    rmSync(a.root, { recursive: true, force: true });

    const b = await scenario(server, { cases: 5000, latencyMs: 50, concurrency: 64 });
    rows.push({ figure: '5000 cases, 50 ms, concurrency 64', measured: `${(b.run.ms / 1000).toFixed(2)} s`, limit: `${(b.limit / 1000).toFixed(3)} s`, ratio: b.run.ms / b.limit, goal: '<= 1.5x', ok: b.run.ms / b.limit <= 1.5 });
    rows.push({ figure: '  peak memory of that run', measured: `${(b.run.rss / 1048576).toFixed(0)} MiB`, limit: '150 MiB', ratio: b.run.rss / (150 * 1048576), goal: '< 150 MiB', ok: b.run.rss < 150 * 1048576 });
    rmSync(b.root, { recursive: true, force: true });
  } finally {
    await server.close();
  }
  printTable('eval throughput (the test model server on 127.0.0.1, --no-cache unless said)', rows);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchEval();
