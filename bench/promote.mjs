// Promotion over a 1,000,000-event run log, as a whole process: `aigov promote
// A --dry-run --json`, which computes every gate (the runs since the last tier
// change, the review backlog and the eval evidence, all through the stats
// fold). Runs the built code: `npm run build` first. `node bench/promote.mjs`.
//
// The log is a production-like mix over 50 automations: every run starts and
// finishes, one in ten goes to review (most of those decided), the rest act,
// notify and tag a record, a few fail; CI records an eval now and then. One
// automation, `heavy`, owns a fifth of all runs, so the figure is also given
// for an automation whose own history is 200,000 events.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openSqliteStore } from '../dist/store/sqlite.js';
import { serializeLock } from '../dist/core/lock/lockfile.js';
import { promptHash } from '../dist/core/lock/prompt-hash.js';
import { readWorkspace } from '../dist/app/read-workspace.js';
import { median, printTable } from './lib.mjs';

const BIN = fileURLToPath(new URL('../bin/aigov.js', import.meta.url));
const BIG = 1_000_000;
const LIMIT_MS = 1000;
// The log's 200,000 runs, one a second, end about now, so what waits for review has waited days, not months.
let T0 = Math.floor(Date.now() / 1000) * 1000 - 3 * 86_400_000;
const RUNS = 5;

const GOVERNANCE = `governance:
  purpose: Books invoices.
  data: Invoice text.
  decisions: { autonomous: Books sure ones., humanReview: The rest. }
  testing: The inv suite.
  monitoring: The dashboard.
  overrideProcess: Review and revert.
  limitations: One category.
`;
const automationYaml = (id) =>
  `id: ${id}\nname: ${id}\nowner: ops@example.com\ntier: 2\nprompt: inv\nevals: [inv]\ndownstream: [erp]\nconfidence: { threshold: 0.8 }\nreversal: { window: 24h, command: [node, undo.mjs] }\nnotify: { command: [node, tell.mjs] }\nreview: { cadence: monthly }\n${GOVERNANCE}`;

/** The automation of run `r`: `heavy` every fifth run, the other 49 in turn. */
const automationOf = (r) => (r % 5 === 0 ? 'heavy' : `automation-${r % 49}`);

function workspace(dir) {
  writeFileSync(join(dir, 'aigov.yaml'), 'version: 1\nmodels:\n  fast: openai:gpt-4o-mini\nstore: sqlite:big.db\n');
  for (const d of ['prompts', 'evals', 'automations']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'prompts/inv.yaml'), 'id: inv\nversion: 3\nmodel: fast\nmessages:\n  - { role: user, content: "Invoice: {{text}}" }\nvars:\n  text: { type: string }\noutput: { type: text, confidence: logprobs }\n');
  writeFileSync(join(dir, 'evals/inv.yaml'), 'suite: inv\nprompt: inv\ncases:\n  - { id: a, vars: { text: a }, expect: travel }\n');
  for (const id of ['automation-7', 'heavy']) writeFileSync(join(dir, `automations/${id}.yaml`), automationYaml(id));
  const sha = promptHash(readWorkspace(dir).prompts.get('inv').value);
  const since = new Date(T0).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const entry = { tier: 2, since, by: 'ops@example.com', event: null };
  writeFileSync(
    join(dir, 'aigov.lock'),
    serializeLock({
      lockfileVersion: 2,
      models: { fast: { requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18', served: 'gpt-4o-mini-2024-07-18', pinnedAt: since, pinnedBy: 'ops@example.com' } },
      prompts: { inv: { version: 3, sha256: sha } },
      automations: { 'automation-7': entry, heavy: entry },
    }),
  );
  return sha;
}

/** The events of run `r`, five on average, at one run a second. */
function runEvents(r, sha) {
  const at = (s) => new Date(T0 + r * 1000 + s).toISOString();
  const base = { automation: automationOf(r), runId: `run-${r}` };
  const started = {
    ...base,
    type: 'run_started',
    at: at(0),
    data: { inputFingerprint: { alg: 'sha256', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }, triggeredBy: 'email', tier: 2, prompt: { id: 'inv', version: 3, sha256: sha }, model: { requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18' } },
  };
  if (r % 97 === 0) return [started, { ...base, type: 'run_failed', at: at(400), data: { error: { type: 'server', message: 'HTTP 500' }, durationMs: 400 } }];
  const review = r % 10 === 3;
  const finished = {
    ...base,
    type: 'run_finished',
    at: at(412),
    data: { output: 'travel', confidence: review ? 0.61 : 0.93, confidenceSource: 'logprobs', modelReturned: 'gpt-4o-mini-2024-07-18', systemFingerprint: 'fp_44709d6fcb', tokens: { input: 312, output: 2 }, costUsd: 0.000048, durationMs: 412, truncated: false, disposition: review ? 'review' : 'auto' },
  };
  if (review) {
    // Most reviews are decided within the hour; one in 300 of them still waits.
    if (r % 3000 === 3) return [started, finished];
    return [started, finished, { ...base, type: 'review_resolved', at: at(60_000), data: { decision: r % 70 === 3 ? 'override' : 'approve', reviewer: 'ann@example.com', reason: null, output: r % 70 === 3 ? 'software' : undefined } }];
  }
  const impacts = [{ system: 'erp', ref: `INV-${r}`, action: 'book' }];
  return [
    started,
    finished,
    { ...base, type: 'action_started', at: at(420), data: { impacts, reversibleUntil: at(86_400_000) } },
    { ...base, type: 'action_taken', at: at(450), data: { impacts, reversibleUntil: at(86_400_000) } },
    { ...base, type: 'notification_sent', at: at(460), data: { ok: true, error: null } },
  ];
}

async function buildLog(path, sha) {
  const store = await openSqliteStore(path);
  let n = 0;
  let r = 0;
  try {
    while (n < BIG) {
      const batch = [];
      while (batch.length < 10_000 && n + batch.length < BIG) {
        // CI records an eval of the suite every 500 runs; the newest passes.
        if (r % 500 === 0) batch.push({ type: 'eval_completed', at: new Date(T0 + r * 1000).toISOString(), data: { suite: 'inv', prompt: { id: 'inv', version: 3, sha256: sha }, model: 'openai:gpt-4o-mini-2024-07-18', served: 'gpt-4o-mini-2024-07-18', passRate: 1, passed: true, cases: 40, commit: null, dirty: false, mode: 'live', unlocked: false } });
        for (const e of runEvents(r, sha)) if (n + batch.length < BIG) batch.push(e);
        r++;
      }
      await store.append(batch);
      n += batch.length;
    }
  } finally {
    await store.close();
  }
  return r;
}

function timePromote(dir, automation) {
  const times = [];
  let out;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const p = spawnSync(process.execPath, [BIN, 'promote', automation, '--dry-run', '--json', '--root', dir], { encoding: 'utf8' });
    times.push(performance.now() - t);
    // Every gate passes on this log: anything but exit 0 is a broken benchmark.
    if (p.status !== 0) throw new Error(`aigov promote ${automation}: exit ${p.status}: ${p.stderr}${p.stdout}`);
    out = JSON.parse(p.stdout);
  }
  return { ms: median(times), runs: out.gates.find((g) => g.name === 'runs').actual, gates: out.gates };
}

export async function benchPromote() {
  // AIGOV_BENCH_KEEP=DIR keeps the log there and reuses it on the next run (building it takes a minute).
  const keep = process.env.AIGOV_BENCH_KEEP;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'aigov-bench-promote-'));
  try {
    const built = keep && existsSync(join(dir, 'big.db'));
    if (built) T0 = Number(readFileSync(join(dir, 't0'), 'utf8'));
    else writeFileSync(join(dir, 't0'), String(T0));
    const sha = workspace(dir);
    if (!built) {
      const t0 = performance.now();
      const runs = await buildLog(join(dir, 'big.db'), sha);
      process.stderr.write(`generated ${BIG} events (${runs} runs) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    }
    timePromote(dir, 'automation-7'); // warm the file cache
    const one = timePromote(dir, 'automation-7');
    const heavy = timePromote(dir, 'heavy');
    const rows = [
      { figure: `aigov promote A --dry-run, 1M-event log (A: ${one.runs.toLocaleString('en')} runs)`, measured: `${one.ms.toFixed(0)} ms`, limit: `${LIMIT_MS} ms`, ratio: one.ms / LIMIT_MS, goal: '< 1x', ok: one.ms < LIMIT_MS },
      { figure: `the same for an automation with a fifth of the log (${heavy.runs.toLocaleString('en')} runs)`, measured: `${heavy.ms.toFixed(0)} ms`, limit: `${LIMIT_MS} ms`, ratio: heavy.ms / LIMIT_MS, goal: 'reference' },
    ];
    printTable(`promotion (SQLite, median of ${RUNS} whole processes)`, rows);
    if (!rows[0].ok) process.exitCode = 1;
    return rows;
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchPromote();
