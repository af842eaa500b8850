// What the library costs: 64 concurrent `gov.run` against a 0 ms model server,
// against the raw openai SDK making the same calls in the same run. The model
// server runs in its own process, so its work is in neither figure. Rounds
// alternate which goes first; the ratio is the median of the rounds' ratios
// (a busy neighbour slows both halves of a round). Runs the built code:
// `npm run build` first. `node bench/gov-run.mjs`.
import { fork, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import OpenAI from 'openai';
import { openGovernor } from '../dist/index.js';
import { createFetch } from '../dist/providers/http-fetch.js';
import { DEFAULT_CONNECTIONS } from '../dist/providers/gateway.js';
import { median, printTable } from './lib.mjs';

const BIN = fileURLToPath(new URL('../bin/aigov.js', import.meta.url));
const MODEL_SERVER = new URL('../test/support/model-server.mjs', import.meta.url).href;
const IN_FLIGHT = 64;
const CALLS = 2000;
const ROUNDS = 5;
const MODEL = 'gpt-4o-mini-2024-07-18';
const KEY = 'sk-bench';

/** The model server in a child process; resolves with its OpenAI base URL. */
function startServer() {
  const child = fork('--input-type=module', [], {
    execArgv: ['--input-type=module', '-e', `import { startModelServer } from ${JSON.stringify(MODEL_SERVER)}; const s = await startModelServer({ record: false, answer: () => 'utilities' }); process.send(s.openaiBaseURL);`],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (url) => resolve({ url, stop: () => child.kill() }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the model server exited with ${code}`)));
  });
}

function workspace(baseURL) {
  const root = mkdtempSync(join(tmpdir(), 'aigov-bench-gov-'));
  for (const d of ['prompts', 'automations']) mkdirSync(join(root, d));
  writeFileSync(join(root, 'aigov.yaml'), `version: 1\nmodels:\n  fast: openai:gpt-4o-mini\nproviders:\n  openai: { baseURL: ${baseURL}, apiKeyEnv: BENCH_KEY }\ndefaults: { retries: 0, timeoutMs: 10000 }\n`);
  writeFileSync(join(root, 'prompts/cls.yaml'), 'id: cls\nversion: 1\nmodel: fast\nparams: { temperature: 0 }\nmessages:\n  - role: user\n    content: "Invoice: {{text}}"\nvars:\n  text: { type: string }\noutput: { type: text, confidence: none }\n');
  writeFileSync(join(root, 'automations/cls.yaml'), 'id: cls\nname: cls\nowner: ops@example.com\ntier: 3\nprompt: cls\ndownstream: [erp]\n');
  const pin = spawnSync(process.execPath, [BIN, 'pin', '--quiet'], { cwd: root, env: { ...process.env, BENCH_KEY: KEY }, encoding: 'utf8' });
  if (pin.status !== 0) throw new Error(`aigov pin: ${pin.stderr}`);
  return root;
}

/**
 * `calls` calls of `one`, `IN_FLIGHT` at a time: wall and CPU milliseconds a
 * call. CPU is this process's (the writer thread's too; the model server's is
 * in its own process), so a busy neighbour inflates it far less than wall time.
 */
async function timed(one, calls) {
  let next = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < calls) {
        const i = next++;
        await one(i);
      }
    }),
  );
  const cpu = process.cpuUsage(c0);
  return { ms: (performance.now() - t0) / calls, cpu: (cpu.user + cpu.system) / 1000 / calls };
}

export async function benchGovRun() {
  const server = await startServer();
  const root = workspace(server.url);
  const gov = await openGovernor({ root, env: { ...process.env, BENCH_KEY: KEY } });
  // The library with a log that keeps nothing: what the governor costs apart from the run log.
  let seq = 0;
  const nothing = { url: 'memory:', append: async (events) => events.map((e) => ({ ...e, seq: ++seq })), query: async () => [], close: async () => {} };
  const unlogged = await openGovernor({ root, env: { ...process.env, BENCH_KEY: KEY }, store: nothing });
  // The SDK with the fetch aigov gives an SDK (http-fetch.ts: undici's keep-alive Agent,
  // as many connections as the library's gateway keeps), so the difference is what the
  // library adds. gov.run itself takes the lean chat path. The SDK's
  // default fetch is slower per call than either: reported beside.
  const sdk = new OpenAI({ apiKey: KEY, baseURL: server.url, maxRetries: 0, fetch: createFetch({ connections: DEFAULT_CONNECTIONS }) });
  const plain = new OpenAI({ apiKey: KEY, baseURL: server.url, maxRetries: 0 });
  const request = (i) => ({ model: MODEL, temperature: 0, messages: [{ role: 'user', content: `Invoice: INV-${i}` }] });
  const viaGov = (i) => gov.run('cls', { text: `INV-${i}` }, { triggeredBy: 'bench' });
  const viaUnlogged = (i) => unlogged.run('cls', { text: `INV-${i}` }, { triggeredBy: 'bench' });
  const viaSdk = (i) => sdk.chat.completions.create(request(i));
  try {
    // Warm both paths (connections, JIT, the store's first pages).
    await timed(viaGov, 500);
    await timed(viaUnlogged, 500);
    await timed(viaSdk, 500);
    const rounds = [];
    const loads = [loadavg()[0]];
    for (let r = 0; r < ROUNDS; r++) {
      const order = [['g', viaGov], ['u', viaUnlogged], ['s', viaSdk]];
      // Each round starts with another of the three.
      const round = {};
      for (let k = 0; k < 3; k++) {
        const [name, one] = order[(r + k) % 3];
        round[name] = await timed(one, CALLS);
      }
      loads.push(loadavg()[0]);
      rounds.push({ ...round, ratio: round.g.ms / round.s.ms, cpuRatio: round.g.cpu / round.s.cpu, log: round.g.ms / round.u.ms });
    }
    const fmt = (x) => `${x.ms.toFixed(3)}/${x.cpu.toFixed(3)}`;
    process.stderr.write(`gov.run / no log / raw SDK, wall/CPU ms a call per round: ${rounds.map((x) => `${fmt(x.g)} ${fmt(x.u)} ${fmt(x.s)}`).join(' | ')}\n`);
    const ratio = median(rounds.map((x) => x.ratio));
    const cpuRatio = median(rounds.map((x) => x.cpuRatio));
    const logRatio = median(rounds.map((x) => x.log));
    const med = (name, key) => median(rounds.map((x) => x[name][key])).toFixed(3);
    const defaultFetch = await timed((i) => plain.chat.completions.create(request(i)), CALLS);
    const load = `load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} on ${cpus().length} cores`;
    const rows = [
      { figure: `raw openai SDK, default fetch, ${IN_FLIGHT} in flight`, measured: `${defaultFetch.ms.toFixed(3)} ms a call, ${defaultFetch.cpu.toFixed(3)} ms CPU` },
      { figure: `raw openai SDK, aigov's fetch, ${IN_FLIGHT} in flight, 0 ms server`, measured: `${med('s', 'ms')} ms a call, ${med('s', 'cpu')} ms CPU` },
      {
        figure: `gov.run (2 logged events a run), ${IN_FLIGHT} in flight`,
        measured: `${med('g', 'ms')} ms a call`,
        limit: 'raw SDK, same fetch',
        ratio,
        goal: '<= 1.15x',
        ok: ratio <= 1.15,
      },
      { figure: '  the same in CPU time (this process, both threads)', measured: `${med('g', 'cpu')} ms CPU a call`, limit: 'raw SDK, same fetch', ratio: cpuRatio },
      {
        figure: 'of which the run log (against gov.run with a log that keeps nothing)',
        measured: `${med('u', 'ms')} ms a call unlogged, ${med('u', 'cpu')} ms CPU`,
        limit: 'gov.run, no log',
        ratio: logRatio,
      },
    ];
    printTable(`the library against the raw SDK (median of ${ROUNDS} rounds of ${CALLS} calls; ${load})`, rows);
    return rows;
  } finally {
    await gov.close();
    await unlogged.close();
    server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchGovRun();
  if (rows.some((r) => r.ok === false)) process.exitCode = 1;
}
