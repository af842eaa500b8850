// The example automation run as users run it: a child process that imports
// 'aigov' (the package's self-reference, so the built dist/) and replays the
// repository's committed fixtures, with its run log in a temporary folder.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyLog } from '../../src/app/log.js';
import { pendingReviews } from '../../src/app/review.js';
import { listRuns, trace } from '../../src/app/runs.js';
import { openStore } from '../../src/store/open.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = join(ROOT, 'examples', 'book-invoices.mjs');
const REFS = ['INV-1041', 'INV-1042', 'INV-1043'];

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** How many events the example wrote into the repository's own run log (others may write there too). */
async function exampleEventsInRepoLog(): Promise<number> {
  if (!existsSync(join(ROOT, '.aigov', 'runs.db'))) return 0;
  const store = await openStore('sqlite:.aigov/runs.db', ROOT);
  try {
    return (await store.query({ types: ['run_started'] })).filter((e) => e.actor === 'book-invoices').length;
  } finally {
    await store.close();
  }
}

/** The environment of a machine with no API keys and no workspace overrides. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(AIGOV_|OPENAI_|ANTHROPIC_)/.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

describe('examples/book-invoices.mjs', () => {
  it('resolves `aigov` from examples/ to this repository’s build', async () => {
    const r = await execa('node', ['--input-type=module', '-e', "console.log(import.meta.resolve('aigov'))"], { cwd: join(ROOT, 'examples') });
    expect(r.stdout.trim()).toBe(pathToFileURL(join(ROOT, 'dist', 'index.js')).href);
  });

  it('books the invoices it is sure of, queues the rest for review, tags an impact: all in the run log', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aigov-example-'));
    const db = join(dir, 'runs.db');
    const cwd = dir;
    const inRepoLog = await exampleEventsInRepoLog();

    const r = await execa('node', [SCRIPT], { cwd, env: cleanEnv({ AIGOV_STORE: db }), extendEnv: false, reject: false, timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    for (const ref of REFS) expect(r.stdout).toContain(`erp: booked ${ref} under`);
    expect(r.stdout).toMatch(/INV-1044: other \(confidence 0\.\d\d, review\)/);
    expect(r.stdout).toContain('done: 3 booked');
    expect(r.stdout).toContain('1 waiting in `aigov review list`');
    // The repository's own run log is left alone.
    expect(await exampleEventsInRepoLog()).toBe(inRepoLog);

    const store = await openStore(`sqlite:${db}`, cwd);
    try {
      const runs = await listRuns(store, {});
      expect(runs).toHaveLength(4);
      expect(runs.every((x) => x.automation === 'invoice_classifier' && x.status === 'finished' && x.promptVersion !== null)).toBe(true);

      const started = await store.query({ types: ['run_started'], order: 'asc' });
      expect(started.map((e) => e.data.triggeredBy)).toEqual(Array(4).fill('email_ingestion'));
      expect(started.every((e) => !('input' in e.data) && e.actor === 'book-invoices')).toBe(true);

      const actions = await store.query({ types: ['action_taken'], order: 'asc' });
      expect(actions.map((e) => (e.data.impacts as { ref: string }[])[0].ref)).toEqual(REFS);
      expect(actions.every((e) => typeof e.data.reversibleUntil === 'string')).toBe(true);
      // Each action is a transaction: started, taken, and the notify command's result.
      const notices = await store.query({ types: ['notification_sent'], order: 'asc' });
      expect(notices.map((e) => [e.runId, e.data.ok])).toEqual(actions.map((a) => [a.runId, true]));
      expect(await store.query({ types: ['action_started'] })).toHaveLength(3);

      const queue = await pendingReviews(store);
      expect(queue.map((x) => [x.awaiting, x.output])).toEqual([['review', 'other']]);

      const vat = await trace(store, { system: 'erp', ref: 'INV-1041-VAT' });
      expect(vat.map((x) => [x.runId, x.action])).toEqual([[actions[0].runId, 'vat line']]);
      expect((await trace(store, { system: 'erp' })).length).toBe(6);

      expect(await verifyLog(store, cwd)).toMatchObject({ ok: true, events: 4 * 2 + 3 * 4 });
    } finally {
      await store.close();
    }
  });
});
