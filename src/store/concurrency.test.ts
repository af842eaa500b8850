// Four processes append 5,000 events each into one SQLite file at once, one of
// them a transaction per event so the write lock is really contended. Nothing
// is lost and the chain never forks.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVerifier } from '../core/log/chain.js';
import { openSqliteStore } from './sqlite.js';

const REGISTER_TS = fileURLToPath(new URL('../../test/support/register-ts.mjs', import.meta.url));
const SQLITE_STORE = pathToFileURL(fileURLToPath(new URL('./sqlite.ts', import.meta.url))).href;

const PER_WRITER = 5000;
const BATCH_SIZES = [1, 10, 50, 100];

// Opens the store, says ready, waits for "go" so all writers start together,
// then appends its events and prints the seqs it was given.
const WRITER = `
import { openSqliteStore } from ${JSON.stringify(SQLITE_STORE)};
const [dbPath, writer, batchSize, total] = process.argv.slice(2);
const store = await openSqliteStore(dbPath);
process.stdout.write('ready\\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
const seqs = [];
for (let i = 0; i < Number(total); i += Number(batchSize)) {
  const batch = Array.from({ length: Number(batchSize) }, (_, j) => ({ type: 'run_started', automation: 'w' + writer, data: { tier: 2, prompt: { id: 'p', version: 1, sha256: 'x' }, model: { requested: 'a', resolved: 'b' }, i: i + j } }));
  for (const e of await store.append(batch)) seqs.push(e.seq);
}
await store.close();
process.stdout.write(JSON.stringify(seqs) + '\\n');
process.stdin.destroy();
`;

interface Writer {
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<number[]>;
}

function startWriter(script: string, args: string[]): Writer {
  const child = spawn(process.execPath, ['--import', REGISTER_TS, script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const done = new Promise<number[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`writer ${args[1]} exited with ${code}: ${err}`));
      resolve(JSON.parse(out.split('\n')[1]) as number[]);
    });
  });
  return { child, ready, done };
}

describe('several processes appending to one SQLite store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aigov-concurrency-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lose nothing and never fork the chain', { timeout: 60_000 }, async () => {
    const script = join(dir, 'writer.mjs');
    writeFileSync(script, WRITER);
    const dbPath = join(dir, 'runs.db');
    const writers = BATCH_SIZES.map((size, w) => startWriter(script, [dbPath, String(w), String(size), String(PER_WRITER)]));
    await Promise.all(writers.map((w) => w.ready));
    for (const w of writers) w.child.stdin!.write('go\n');
    const acknowledged = await Promise.all(writers.map((w) => w.done));

    const total = PER_WRITER * BATCH_SIZES.length;
    const all = acknowledged.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: total }, (_, i) => i + 1));

    const store = await openSqliteStore(dbPath);
    try {
      const verifier = createVerifier();
      const seen = BATCH_SIZES.map(() => new Set<number>());
      let switches = 0;
      let previous = -1;
      for await (const e of store.scan()) {
        expect(verifier.push(e)).toEqual({ ok: true });
        const writer = Number(e.automation!.slice(1));
        seen[writer].add(e.data.i as number);
        if (previous !== -1 && writer !== previous) switches += 1;
        previous = writer;
      }
      expect(verifier.count).toBe(total);
      for (const s of seen) expect(s.size).toBe(PER_WRITER);
      // Writers running one after another would switch only 3 times: these contended.
      expect(switches).toBeGreaterThan(BATCH_SIZES.length - 1);
    } finally {
      await store.close();
    }
  });
});
