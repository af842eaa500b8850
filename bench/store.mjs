// Benchmarks the SQLite run log against its limits: append throughput against
// raw better-sqlite3 inserts of the same rows, `log verify` over 1,000,000
// events in constant memory, and the `runs` and `trace` queries over them.
// Runs the built code: `npm run build` first. `node bench/store.mjs`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../dist/store/sqlite.js';
import { verifyLog } from '../dist/app/log.js';

const BIN = fileURLToPath(new URL('../bin/aigov.js', import.meta.url));

const SINGLE = 3000; // appends of one event, each its own transaction
const BATCHED = 200; // appends of 100 events
const BIG = 1_000_000;
const SNAPSHOT = 100_000;
const ROUNDS = 5; // pairs of store and raw runs, for the noisy throughput figures

// The store's events table and indexes, without the chain: what a plain
// application would write for the same rows.
const RAW_SCHEMA = `
CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, v INTEGER NOT NULL, type TEXT NOT NULL, at TEXT NOT NULL,
  automation TEXT, run_id TEXT, actor TEXT, data TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX events_by_automation ON events (automation, seq);
CREATE INDEX events_by_run ON events (run_id, seq);
CREATE INDEX events_by_type ON events (type, at);
`;

const finished = (n) => ({
  type: 'run_finished',
  automation: `automation-${n % 50}`,
  runId: `run-${Math.floor(n / 2)}`,
  actor: 'svc-invoices',
  data: {
    output: 'travel', confidence: 0.93, confidenceSource: 'logprobs', modelReturned: 'gpt-4o-mini-2024-07-18',
    systemFingerprint: 'fp_44709d6fcb', tokens: { input: 312, output: 2 }, costUsd: 0.000048, durationMs: 412, disposition: 'auto',
  },
});

// A production-like mix for the big log: every run starts, finishes, and one in
// four acts on a record of a downstream system.
function mixed(n) {
  const run = Math.floor(n / 3);
  const base = { automation: `automation-${run % 50}`, runId: `run-${run}` };
  switch (n % 3) {
    case 0:
      return { ...base, type: 'run_started', data: { inputSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', triggeredBy: 'email', tier: 2, prompt: { id: 'invoice', version: 3, sha256: '9f2c' }, model: { requested: 'fast', resolved: 'openai:gpt-4o-mini-2024-07-18' } } };
    case 1:
      return { ...finished(n), ...base };
    default:
      return run % 4 === 0
        ? { ...base, type: 'action_taken', data: { impacts: [{ system: 'erp', ref: `INV-${run}`, action: 'book' }], notified: true } }
        : { ...base, type: 'impact_tagged', data: { system: 'crm', ref: `C-${run}`, action: 'note' } };
  }
}

const ms = (t0) => performance.now() - t0;

async function appendRate(dir, round, batch, count) {
  const path = join(dir, `append-${batch}-${round}.db`);
  const store = await openSqliteStore(path);
  // Built before the clock starts, as the raw rows are.
  const batches = Array.from({ length: count }, (_, i) => Array.from({ length: batch }, (_, j) => finished(i * batch + j)));
  const t0 = performance.now();
  for (const events of batches) await store.append(events);
  const seconds = ms(t0) / 1000;
  await store.close();
  if (round !== 'warm-up') rmSync(path);
  return { rate: (batch * count) / seconds, path };
}

function rawRate(dir, round, batch, sourcePath) {
  const source = new Database(sourcePath, { readonly: true });
  const rows = source.prepare('SELECT * FROM events ORDER BY seq').raw(true).all();
  source.close();
  const rawPath = join(dir, `raw-${batch}-${round}.db`);
  const db = new Database(rawPath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(RAW_SCHEMA);
  const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const tx = db.transaction((slice) => {
    for (const r of slice) insert.run(r);
  });
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += batch) tx.immediate(rows.slice(i, i + batch));
  const seconds = ms(t0) / 1000;
  db.close();
  rmSync(rawPath);
  return rows.length / seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Store and raw run in pairs, back to back, alternating which goes first, after
 * one untimed warm-up (which also writes the rows raw inserts). The ratio is
 * the median of the pairs' ratios: a busy neighbour slows both halves of a pair.
 */
async function throughput(dir, batch, count) {
  const { path: source } = await appendRate(dir, 'warm-up', batch, count);
  const pairs = [];
  for (let round = 0; round < ROUNDS; round++) {
    let store;
    let raw;
    if (round % 2 === 0) {
      raw = rawRate(dir, round, batch, source);
      ({ rate: store } = await appendRate(dir, round, batch, count));
    } else {
      ({ rate: store } = await appendRate(dir, round, batch, count));
      raw = rawRate(dir, round, batch, source);
    }
    pairs.push({ store, raw, ratio: store / raw });
  }
  process.stderr.write(`batch ${batch}: store/raw per pair ${pairs.map((p) => `${p.store.toFixed(0)}/${p.raw.toFixed(0)}`).join(' ')}\n`);
  return { store: median(pairs.map((p) => p.store)), raw: median(pairs.map((p) => p.raw)), ratio: median(pairs.map((p) => p.ratio)) };
}

/**
 * Verifies in a fresh process, so its peak RSS is verify's alone. Twice: the
 * faster time (the other run paid for a busy machine), the larger RSS.
 */
function verifyInChild(path, root) {
  const runs = [0, 1].map(() => {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--verify', path, root], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`verify failed: ${child.stderr}`);
    return JSON.parse(child.stdout);
  });
  return { events: runs[0].events, ms: Math.min(...runs.map((r) => r.ms)), maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)) };
}

async function verifyOnly(path, root) {
  const store = await openSqliteStore(path);
  const t0 = performance.now();
  const result = await verifyLog(store, root);
  const elapsed = ms(t0);
  await store.close();
  if (!result.ok) throw new Error(`the chain did not verify: ${JSON.stringify(result.firstBad)}`);
  process.stdout.write(JSON.stringify({ events: result.events, ms: elapsed, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

export async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'aigov-bench-'));
  const figures = [];
  const add = (figure, measured, limit, ratio, ok) => figures.push({ figure, measured, limit, ratio, ok });
  try {
    for (const [label, batch, count] of [['1 event a transaction', 1, SINGLE], ['batches of 100', 100, BATCHED]]) {
      const t = await throughput(dir, batch, count);
      add(`appends/s, ${label}`, `${t.store.toFixed(0)} (raw ${t.raw.toFixed(0)})`, '≥ 80 % of raw', `${(t.ratio * 100).toFixed(0)} %`, t.ratio >= 0.8);
    }

    const path = join(dir, 'big.db');
    const snapshot = join(dir, 'snapshot.db');
    let store = await openSqliteStore(path);
    const t0 = performance.now();
    for (let n = 0; n < BIG; n += 10_000) {
      await store.append(Array.from({ length: 10_000 }, (_, i) => mixed(n + i)));
      if (n + 10_000 === SNAPSHOT) {
        await store.close();
        copyFileSync(path, snapshot);
        store = await openSqliteStore(path);
      }
    }
    const generated = ms(t0);
    await store.close();
    process.stderr.write(`generated ${BIG} events in ${(generated / 1000).toFixed(1)} s\n`);

    const small = verifyInChild(snapshot, dir);
    const big = verifyInChild(path, dir);
    add(`log verify, ${BIG.toLocaleString('en')} events`, `${(big.ms / 1000).toFixed(2)} s`, '< 5 s', `${(big.ms / 5000).toFixed(2)} of limit`, big.ms < 5000 && big.events === BIG);
    add(`log verify peak RSS, ${SNAPSHOT.toLocaleString('en')} events`, `${small.maxRssMb.toFixed(0)} MB`, 'reference', '1.00', true);
    const rssRatio = big.maxRssMb / small.maxRssMb;
    // Memory that grew with the log would be ~10x here; garbage-collector slack is not.
    add(`log verify peak RSS, ${BIG.toLocaleString('en')} events`, `${big.maxRssMb.toFixed(0)} MB`, '≤ 1.5 × at 100k (flat)', rssRatio.toFixed(2), rssRatio <= 1.5);

    // The commands people type, as whole processes over the 1M-event log.
    writeFileSync(join(dir, 'aigov.yaml'), 'version: 1\nmodels: {}\nstore: sqlite:big.db\n');
    const cli = (args) => {
      const times = [0, 1, 2].map(() => {
        const t = performance.now();
        const r = spawnSync(process.execPath, [BIN, ...args, '--json', '--root', dir], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`aigov ${args.join(' ')}: ${r.stderr}`);
        return { ms: performance.now() - t, rows: JSON.parse(r.stdout).length };
      });
      return times.sort((a, b) => a.ms - b.ms)[1];
    };
    const runs = cli(['runs', '--automation', 'automation-7', '--limit', '50']);
    add('aigov runs --automation A --limit 50', `${runs.ms.toFixed(0)} ms`, '< 1000 ms', `${(runs.ms / 1000).toFixed(2)} of limit`, runs.ms < 1000 && runs.rows === 50);
    const trace = cli(['trace', '--system', 'erp', '--ref', 'INV-123456']);
    add('aigov trace --system erp --ref INV-123456', `${trace.ms.toFixed(0)} ms`, '< 1000 ms', `${(trace.ms / 1000).toFixed(2)} of limit`, trace.ms < 1000 && trace.rows === 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(figures);
  if (figures.some((f) => !f.ok)) process.exitCode = 1;
  return figures;
}

function printTable(figures) {
  const rows = [['figure', 'measured', 'limit', 'ratio', ''], ...figures.map((f) => [f.figure, f.measured, f.limit, f.ratio, f.ok ? 'ok' : 'MISSED'])];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => cell.padEnd(widths[c])).join(' | ').trimEnd();
  console.log(`\nrun log store (SQLite, synchronous=FULL, WAL)\n${line(rows[0])}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}`);
  for (const r of rows.slice(1)) console.log(line(r));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--verify') await verifyOnly(process.argv[3], process.argv[4]);
  else await main();
}
