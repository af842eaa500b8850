// `aigov dashboard`, `aigov report --month` and `aigov calibrate` as whole
// processes over a 1,000,000-event run log: two months of 20 automations with
// reviews, overrides, failures, audits and actions. Runs the built code: `npm
// run build` first. `node bench/observe.mjs` (or `npm run bench -- observe`).
//
// The limit is 1 s each. The commands read the derived runs table's aggregates
// (store/stats-sql.ts: counts by automation, cell of time and hundredth of
// confidence, computed in SQL), not the events: a few thousand cells come back
// whatever the log's length. For scale it also prints what one scan of every
// event costs (what the commands cost when they folded the whole log) and the
// aggregate query in-process, without the CLI's start. Wall times on a shared
// machine move with its load, so the load average is printed beside them. A
// missed limit is printed, not failed on.
//
// The runs are summed as they stream through store format 4's index in the
// order of their day groups (store/stats-sql.ts), not sorted one by one.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openSqliteStore } from '../dist/store/sqlite.js';

const BIN = fileURLToPath(new URL('../bin/aigov.js', import.meta.url));
const EVENTS = Number(process.env.AIGOV_BENCH_EVENTS ?? 1_000_000);
const AUTOMATIONS = 20;
const LIMIT_MS = 1000;
const DAY = 86_400_000;

/** A workspace whose automations are the log's, so every row and section is real. */
export function workspace(dir) {
  writeFileSync(join(dir, 'aigov.yaml'), 'version: 1\nmodels:\n  fast: openai:gpt-4o-mini\nstore: sqlite:big.db\n');
  mkdirSync(join(dir, 'prompts'));
  mkdirSync(join(dir, 'automations'));
  writeFileSync(join(dir, 'prompts/cls.yaml'), 'id: cls\nversion: 1\nmodel: fast\nmessages:\n  - role: user\n    content: "{{text}}"\nvars:\n  text: { type: string }\n');
  for (let a = 0; a < AUTOMATIONS; a++) {
    const tier = 1 + (a % 3);
    const reversal = tier === 2 ? 'reversal: { window: 24h, command: [node, undo.mjs] }\n' : '';
    writeFileSync(join(dir, `automations/a${a}.yaml`), `id: a${a}\nname: Automation ${a}\nowner: ops@example.com\ntier: ${tier}\nprompt: cls\nconfidence: { threshold: 0.8 }\n${reversal}`);
  }
}

/** The events of one run: started, then failed or finished, then a review, an action or nothing. */
function runEvents(i, t0, span) {
  const automation = `a${i % AUTOMATIONS}`;
  const tier = 1 + ((i % AUTOMATIONS) % 3);
  const runId = `run-${i}`;
  const t = t0 + ((i * 7919) % span);
  const at = (min) => new Date(t + min * 60_000).toISOString();
  const base = { automation, runId, actor: 'svc' };
  const out = [{ ...base, type: 'run_started', at: at(0), data: { tier, triggeredBy: 'queue', inputSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', prompt: { id: 'cls', version: 1, sha256: '9f2c' }, model: { requested: 'fast', resolved: 'openai:gpt-4o-mini-2024-07-18' } } }];
  if (i % 50 === 0) return [...out, { ...base, type: 'run_failed', at: at(1), data: { error: { type: 'timeout', message: 'no answer' }, durationMs: 60000 } }];
  const confidence = ((i * 0.6180339887) % 1) * 0.5 + 0.5;
  const disposition = confidence < 0.8 ? 'review' : tier === 1 ? 'approval_required' : 'auto';
  out.push({ ...base, type: 'run_finished', at: at(1), data: { output: 'travel', confidence, confidenceSource: 'logprobs', modelReturned: 'gpt-4o-mini-2024-07-18', tokens: { input: 312, output: 2 }, costUsd: 0.000048, durationMs: 412, disposition, audit: disposition === 'auto' && i % 40 === 3 } });
  if (disposition !== 'auto') out.push({ ...base, type: 'review_resolved', at: at(30), data: { decision: i % 17 === 0 ? 'override' : 'approve', reviewer: 'ann', reason: null } });
  else if (i % 40 === 3) out.push({ ...base, type: 'review_resolved', at: at(600), data: { decision: 'approve', reviewer: 'ann', reason: null, audit: true } });
  else if (i % 4 === 0) out.push({ ...base, type: 'action_taken', at: at(2), data: { impacts: [{ system: 'erp', ref: `INV-${i}` }], ...(tier === 2 ? { reversibleUntil: at(1442) } : {}) } });
  return out;
}

export async function build(dir) {
  const store = await openSqliteStore(join(dir, 'big.db'));
  const now = Date.now();
  const t0 = now - 60 * DAY;
  const span = 60 * DAY - DAY;
  let written = 0;
  let batch = [];
  const t = performance.now();
  for (let i = 0; written + batch.length < EVENTS; i++) {
    batch.push(...runEvents(i, t0, span));
    if (batch.length >= 10_000) {
      // the log is in time order, as a live one is
      batch.sort((a, b) => (a.at < b.at ? -1 : 1));
      await store.append(batch);
      written += batch.length;
      batch = [];
    }
  }
  if (batch.length) await store.append(batch);
  written += batch.length;
  await store.close();
  process.stderr.write(`generated ${written} events in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  return written;
}

function time(dir, args, ok = [0]) {
  const runs = [0, 1, 2].map(() => {
    const t = performance.now();
    const r = spawnSync(process.execPath, [BIN, ...args, '--root', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (!ok.includes(r.status)) throw new Error(`aigov ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return performance.now() - t;
  });
  return runs.sort((a, b) => a - b)[1];
}

/** The aggregates of the whole log as the dashboard asks for them (30 days, 5 weeks), in-process. */
async function aggregateOnly(dir) {
  const { readStats } = await import('../dist/app/read-stats.js');
  const { dashboardCuts, dashboardGroups, dashboardWindowOf } = await import('../dist/core/report/dashboard.js');
  const store = await openSqliteStore(join(dir, 'big.db'));
  const until = new Date().toISOString();
  const since = new Date(Date.now() - 30 * DAY).toISOString();
  const t = performance.now();
  await readStats(store, { asOf: until, windowOf: dashboardWindowOf(since, until), cuts: dashboardCuts(since, until), result: dashboardGroups(since, until), snapshotsAt: [until] });
  const ms = performance.now() - t;
  await store.close();
  return ms;
}

/** What reading the whole log costs, without the CLI or the fold. */
async function scanOnly(dir) {
  const store = await openSqliteStore(join(dir, 'big.db'));
  const t = performance.now();
  for await (const e of store.scan()) void e;
  const ms = performance.now() - t;
  await store.close();
  return ms;
}

export async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'aigov-bench-observe-'));
  try {
    workspace(dir);
    const events = await build(dir);
    const lastMonth = new Date(new Date().setUTCDate(0)).toISOString().slice(0, 7);
    const figures = [
      ['store.scan() of every event, in-process (for scale)', await scanOnly(dir)],
      ["the dashboard's aggregates, in-process (for scale)", await aggregateOnly(dir)],
      ['aigov dashboard --since 30d --json', time(dir, ['dashboard', '--since', '30d', '--json'])],
      [`aigov report --month ${lastMonth} --format json`, time(dir, ['report', '--month', lastMonth, '--format', 'json'])],
      ['aigov calibrate a1 --json', time(dir, ['calibrate', 'a1', '--json'], [0, 1])],
    ];
    console.log(`\ndashboard, report, calibrate over ${events.toLocaleString('en')} events (whole processes, median of 3; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
    // The rows "for scale" have no limit: they say what the commands are measured against.
    for (const [figure, ms] of figures) console.log(`${figure.padEnd(54)} ${`${ms.toFixed(0)} ms`.padStart(9)}  ${figure.includes('for scale') ? '' : `limit ${LIMIT_MS} ms  ${ms < LIMIT_MS ? 'ok' : 'MISSED'}`}`.trimEnd());
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
