// Benchmarks seals and proofs over a 1,000,000-event SQLite log (the mix of
// bench/store.mjs: every run starts and finishes, one in four acts): `log
// verify` with signed seals, whose Merkle roots it recomputes in the same
// streaming pass (limit 5 s, flat memory), beside verify without seals; `log
// seal`; and `log prove` and `check-proof` for one run.
// `npm run bench -- seal`, or `node bench/seal.mjs [events]` after `npm run build`.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openSqliteStore } from '../dist/store/sqlite.js';
import { verifyLog } from '../dist/app/log.js';
import { sealLog } from '../dist/app/seal.js';

const BIN = fileURLToPath(new URL('../bin/aigov.js', import.meta.url));
const EVENTS = Number(process.argv[2] ?? 1_000_000);

function mixed(n) {
  const run = Math.floor(n / 3);
  const base = { automation: `automation-${run % 50}`, runId: `run-${run}` };
  switch (n % 3) {
    case 0:
      return { ...base, type: 'run_started', data: { inputSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', triggeredBy: 'email', tier: 2, prompt: { id: 'invoice', version: 3, sha256: '9f2c' }, model: { requested: 'fast', resolved: 'openai:gpt-4o-mini-2024-07-18' } } };
    case 1:
      return { ...base, type: 'run_finished', actor: 'svc-invoices', data: { output: 'travel', confidence: 0.93, confidenceSource: 'logprobs', tokens: { input: 312, output: 2 }, costUsd: 0.000048, durationMs: 412, disposition: 'auto' } };
    default:
      return run % 4 === 0
        ? { ...base, type: 'action_taken', data: { impacts: [{ system: 'erp', ref: `INV-${run}`, action: 'book' }], notified: true } }
        : { ...base, type: 'impact_tagged', data: { system: 'crm', ref: `C-${run}`, action: 'note' } };
  }
}

/**
 * Whole processes, so each figure is the command's own: wall time, CPU time
 * (user + system, over every thread: verify checks a long log on a thread a
 * core) and peak RSS. Of two runs, the one that took less CPU.
 */
function cli(root, args, env = {}) {
  const runs = [0, 1].map(() => {
    const t = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, BIN, ...args, '--root', root], { encoding: 'utf8', env: { ...process.env, ...env } });
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`aigov ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    const [user, sys, rss] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
    return { ms, cpuMs: (user + sys) * 1000, rssMb: rss / 1024 };
  });
  return runs.sort((a, b) => a.cpuMs - b.cpuMs)[0];
}

const seconds = (r) => `${(r.ms / 1000).toFixed(2)} s wall, ${(r.cpuMs / 1000).toFixed(2)} s CPU, ${r.rssMb.toFixed(0)} MB`;

export async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'aigov-bench-seal-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const env = { AIGOV_SEAL_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64') };
  const publicKeys = [{ id: 'bench', key: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') }];
  const figures = [];
  const add = (figure, measured, limit, ok) => figures.push({ figure, measured, limit, ok });
  try {
    const sealed = join(dir, 'sealed');
    const plain = join(dir, 'plain');
    for (const root of [sealed, plain]) mkdirSync(join(root, '.aigov'), { recursive: true });
    writeFileSync(join(sealed, 'aigov.yaml'), `version: 1\nmodels: {}\nstore: sqlite:.aigov/runs.db\nseals:\n  publicKeys:\n    - { id: bench, key: ${publicKeys[0].key} }\n`);
    writeFileSync(join(plain, 'aigov.yaml'), 'version: 1\nmodels: {}\nstore: sqlite:../sealed/.aigov/runs.db\n');

    // The log, sealed (signed) at each quarter as a nightly job would have.
    const store = await openSqliteStore(join(sealed, '.aigov/runs.db'));
    const t0 = performance.now();
    for (let n = 0; n < EVENTS; n += 10_000) {
      await store.append(Array.from({ length: Math.min(10_000, EVENTS - n) }, (_, i) => mixed(n + i)));
      if ((n + 10_000) % (EVENTS / 4) === 0 && n + 10_000 < EVENTS) await sealLog(store, sealed, { env, publicKeys });
    }
    process.stderr.write(`generated ${EVENTS} events with 3 seals in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    await store.close();

    const seal = cli(sealed, ['log', 'seal'], env);
    add(`log seal (signed), ${EVENTS.toLocaleString('en')} events`, seconds(seal), 'reference', true);
    const bare = cli(plain, ['log', 'verify']);
    add('log verify without seals', seconds(bare), 'reference', true);
    const full = cli(sealed, ['log', 'verify']);
    add('log verify, 4 signed seals with roots', seconds(full), '< 5 s', full.ms < 5000);
    add('  Merkle roots and seal checks, extra', `${((full.cpuMs - bare.cpuMs) / 1000).toFixed(2)} s CPU, ${(full.rssMb - bare.rssMb).toFixed(0)} MB`, 'flat memory', full.rssMb < bare.rssMb * 1.25 + 10);

    const run = `run-${Math.floor(EVENTS / 3) - 7}`;
    const proof = join(dir, 'proof.json');
    const prove = cli(sealed, ['log', 'prove', run, '-o', proof]);
    add(`log prove ${run}`, seconds(prove), 'reference', true);
    const check = cli(sealed, ['log', 'check-proof', proof]);
    add('log check-proof (no database)', seconds(check), 'reference', true);
    const s = await openSqliteStore(join(sealed, '.aigov/runs.db'));
    const v = await verifyLog(s, sealed, { publicKeys });
    await s.close();
    if (!v.ok || v.seals.checked !== 4) throw new Error(`verify failed: ${JSON.stringify(v.seals)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = [['figure', 'measured', 'limit', ''], ...figures.map((f) => [f.figure, f.measured, f.limit, f.ok ? 'ok' : 'MISSED'])];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => cell.padEnd(widths[c])).join(' | ').trimEnd();
  console.log(`\nseals and proofs (SQLite, ${EVENTS.toLocaleString('en')} events)\n${line(rows[0])}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}`);
  for (const r of rows.slice(1)) console.log(line(r));
  if (figures.some((f) => !f.ok)) process.exitCode = 1;
  return figures;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
