// PostgreSQL append throughput: 1, 4 and 16 writer processes each appending one
// event at a time (one round trip an append: aigov_append does the lock, the
// chain and every row in the database), and one process with 64 callers at
// once (group commit: one round trip a batch). Needs a server:
// AIGOV_BENCH_PG_URL or AIGOV_TEST_PG_URL (a random schema is made and dropped).
// Runs the built code: `npm run build` first. `node bench/pg-append.mjs`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { openStore } from '../dist/store/open.js';
import { printTable } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const SECONDS = 4;

const started = (w, i) => ({
  type: 'run_started',
  automation: `w${w}`,
  runId: `w${w}-${i}`,
  data: { inputSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', triggeredBy: 'bench', tier: 2, prompt: { id: 'p', version: 1, sha256: 'x' }, model: { requested: 'fast', resolved: 'openai:m' } },
});

/** One writer process: opens the store, says ready, appends for SECONDS once told to go, prints its count. */
async function writer(url, w, callers) {
  const store = await openStore(url, process.cwd());
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const until = performance.now() + SECONDS * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < until) await store.append([started(w, n++)]);
    }),
  );
  await store.close();
  process.stdout.write(`${n}\n`);
  process.stdin.destroy();
}

function startWriter(url, w, callers) {
  const child = spawn(process.execPath, [SELF, '--writer', url, String(w), String(callers)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let ready;
  const isReady = new Promise((resolve) => (ready = resolve));
  child.stdout.setEncoding('utf8').on('data', (d) => {
    out += d;
    if (out.startsWith('ready\n')) ready();
  });
  const done = new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(Number(out.split('\n')[1])) : reject(new Error(`writer ${w} exited with ${code}`)))));
  return { child, isReady, done };
}

async function scenario(base, writers, callers) {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const url = `${base}${base.includes('?') ? '&' : '?'}schema=${schema}`;
  // Created once before the writers start, so they time appends, not the schema.
  await (await openStore(url, process.cwd())).close();
  try {
    const ws = Array.from({ length: writers }, (_, w) => startWriter(url, w, callers));
    await Promise.all(ws.map((w) => w.isReady));
    for (const w of ws) w.child.stdin.write('go\n');
    const counts = await Promise.all(ws.map((w) => w.done));
    return counts.reduce((a, b) => a + b, 0) / SECONDS;
  } finally {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

export async function benchPgAppend() {
  const base = process.env.AIGOV_BENCH_PG_URL ?? process.env.AIGOV_TEST_PG_URL;
  if (!base) {
    console.log('\nPostgreSQL appends: skipped (set AIGOV_BENCH_PG_URL or AIGOV_TEST_PG_URL)');
    return [];
  }
  const rows = [];
  for (const writers of [1, 4, 16]) {
    const rate = await scenario(base, writers, 1);
    rows.push({ figure: `appends/s, ${writers} writer process${writers === 1 ? '' : 'es'}, one event an append`, measured: rate.toFixed(0) });
  }
  const grouped = await scenario(base, 1, 64);
  rows.push({ figure: 'appends/s, 1 process, 64 callers at once (group commit)', measured: grouped.toFixed(0) });
  printTable(`run log store (PostgreSQL, one round trip an append, ${SECONDS} s each)`, rows);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--writer') await writer(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
  else await benchPgAppend();
}
