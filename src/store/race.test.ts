// Two processes race conditional appends on one run, 20 times: each reads the
// run, both are told to go at the same instant, and the store itself lets
// exactly one of them write. On SQLite and on PostgreSQL.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRacer, type Racer } from '../../test/support/racer.js';
import { createVerifier } from '../core/log/chain.js';
import { startedData } from '../../test/support/events.js';
import { storeBackends, type Opened } from '../../test/support/stores.js';

const OPEN_STORE = pathToFileURL(fileURLToPath(new URL('./open.ts', import.meta.url))).href;
const PAIRS = 20;

// Answers one line per command: "read RUN" reads the run's newest decision,
// "go RUN" appends a decision on what it read and says whether it won.
const RACER = `
import { createInterface } from 'node:readline';
import { openStore } from ${JSON.stringify(OPEN_STORE)};
const [url, root, me] = process.argv.slice(2);
const store = await openStore(url, root);
const types = ['review_resolved'];
const read = new Map();
process.stdout.write('ready\\n');
for await (const line of createInterface({ input: process.stdin })) {
  const [verb, runId] = line.split(' ');
  if (verb === 'read') {
    const [last] = await store.query({ runId, types, order: 'desc', limit: 1 });
    read.set(runId, last ? last.seq : null);
    process.stdout.write('read\\n');
  } else if (verb === 'go') {
    try {
      await store.append([{ type: 'review_resolved', runId, data: { decision: 'approve', reviewer: me } }], { expect: { runId, types, lastSeq: read.get(runId) } });
      process.stdout.write('won\\n');
    } catch (err) {
      process.stdout.write((err.code === 'E_CONFLICT' ? 'lost' : 'error ' + err.message) + '\\n');
    }
  } else break;
}
await store.close();
`;


describe.each(storeBackends('conditional append race'))('racing conditional appends from two processes: $name', (backend) => {
  let opened: Opened;
  let dir: string;
  const racers: Racer[] = [];

  beforeEach(async () => {
    opened = await backend.open();
    dir = mkdtempSync(join(tmpdir(), 'aigov-race-'));
  });
  afterEach(async () => {
    for (const r of racers.splice(0)) r.child.kill();
    await opened.store.close();
    await opened.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`lets exactly one of each pair win, ${PAIRS} pairs`, { timeout: 90_000 }, async () => {
    const script = join(dir, 'racer.mjs');
    writeFileSync(script, RACER);
    racers.push(...(await Promise.all(['ann', 'bob'].map((me) => startRacer(script, [opened.url, opened.root, me])))));
    for (let pair = 0; pair < PAIRS; pair++) {
      const runId = `race-${pair}`;
      await opened.store.append([{ type: 'run_started', runId, data: startedData() }]);
      // Half the runs already carry a decision, so both null and a seq are raced on.
      if (pair % 2 === 1) await opened.store.append([{ type: 'review_resolved', runId, data: { decision: 'reject', reviewer: 'earlier' } }]);
      expect(await Promise.all(racers.map((r) => r.say(`read ${runId}`)))).toEqual(['read', 'read']);
      const outcome = await Promise.all(racers.map((r) => r.say(`go ${runId}`)));
      expect(outcome.sort(), `pair ${pair}`).toEqual(['lost', 'won']);
      expect(await opened.store.query({ runId, types: ['review_resolved'] })).toHaveLength(1 + (pair % 2));
    }
    const verifier = createVerifier();
    for await (const e of opened.store.scan()) expect(verifier.push(e)).toEqual({ ok: true });
    // A start and a winner a pair, and the earlier decisions.
    expect(verifier.count).toBe(PAIRS * 2 + PAIRS / 2);
  });
});
