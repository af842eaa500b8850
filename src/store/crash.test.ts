// A writer killed with SIGKILL mid-stream loses nothing it acknowledged, and the
// chain it leaves behind verifies and goes on growing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVerifier } from '../core/log/chain.js';
import { openSqliteStore } from './sqlite.js';

const REGISTER_TS = fileURLToPath(new URL('../../test/support/register-ts.mjs', import.meta.url));
const SQLITE_STORE = pathToFileURL(fileURLToPath(new URL('./sqlite.ts', import.meta.url))).href;

// Appends forever in batches of 1 to 3, printing each seq once its commit returned.
const WRITER = `
import { openSqliteStore } from ${JSON.stringify(SQLITE_STORE)};
const store = await openSqliteStore(process.argv[2], { writer: process.argv[3] });
for (let i = 0; ; i++) {
  const batch = Array.from({ length: 1 + (i % 3) }, (_, j) => ({ type: 'run_started', runId: 'w' + i, data: { tier: 2, prompt: { id: 'p', version: 1, sha256: 'x' }, model: { requested: 'a', resolved: 'b' }, i, j } }));
  const events = await store.append(batch);
  process.stdout.write(events.map((e) => e.seq).join('\\n') + '\\n');
}
`;

/** Runs the writer until it acknowledged at least `acks` events, then kills it with SIGKILL. */
function killAfter(script: string, dbPath: string, acks: number, writer: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', REGISTER_TS, script, dbPath, writer], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!killed && out.split('\n').length > acks) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`the writer exited with ${code}: ${err}`));
      // A line cut short by the kill was never acknowledged.
      resolve(out.split('\n').slice(0, -1).map(Number));
    });
  });
}

describe('a writer killed with SIGKILL', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aigov-crash-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['inline', 'thread'])('keeps every acknowledged event and a valid chain (appends on the %s writer)', async (writer) => {
    const script = join(dir, 'writer.mjs');
    writeFileSync(script, WRITER);
    const dbPath = join(dir, 'runs.db');
    const acknowledged: number[] = [];
    for (const acks of [150, 400]) {
      const seqs = await killAfter(script, dbPath, acks, writer);
      expect(seqs.length).toBeGreaterThanOrEqual(acks);
      acknowledged.push(...seqs);
    }

    const store = await openSqliteStore(dbPath);
    try {
      const verifier = createVerifier();
      const stored = new Set<number>();
      for await (const e of store.scan()) {
        expect(verifier.push(e)).toEqual({ ok: true });
        stored.add(e.seq);
      }
      for (const seq of acknowledged) expect(stored.has(seq)).toBe(true);
      expect(new Set(acknowledged).size).toBe(acknowledged.length);

      const [next] = await store.append([{ type: 'run_started', data: { tier: 2, prompt: { id: 'p', version: 1, sha256: 'x' }, model: { requested: 'a', resolved: 'b' }, after: 'crash' } }]);
      expect(next.seq).toBe(verifier.head!.seq + 1);
      expect(next.prevHash).toBe(verifier.head!.hash);
    } finally {
      await store.close();
    }
    const db = new Database(dbPath, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
