// The run log as a ledger, through the built binary: every row accounted for
// by `log verify` (a named failure, exit 1), and the lists that read the runs
// table: `runs --json` streamed, the review and audit queues, an action in doubt.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../src/core/log/events.js';
import { openStore } from '../../src/store/open.js';
import { aigov } from '../support/cli.js';
import { finishedData, startedData } from '../support/events.js';
import { tempWorkspace } from '../support/workspace.js';

const run = (id: string, finished: Record<string, unknown> = {}): NewEvent[] => [
  { type: 'run_started', automation: 'inv', runId: id, data: startedData() },
  { type: 'run_finished', automation: 'inv', runId: id, data: finishedData(finished) },
];

let w: ReturnType<typeof tempWorkspace>;
const cli = (...args: string[]) => aigov(args, { cwd: w.root });

beforeAll(async () => {
  w = tempWorkspace({ 'aigov.yaml': 'version: 1\nmodels: {}\n' });
  const store = await openStore(undefined, w.root);
  await store.append([
    ...run('a-auto'),
    ...run('b-review', { disposition: 'review', confidence: 0.3 }),
    ...run('c-audit', { audit: true }),
    ...run('d-doubt'),
    { type: 'action_started', automation: 'inv', runId: 'd-doubt', data: { impacts: [{ system: 'erp', ref: 'INV-9', action: 'book' }] } },
    ...Array.from({ length: 1200 }, (_, i) => run(`r${String(i).padStart(4, '0')}`)).flat(),
  ]);
  await store.close();
});
afterAll(() => w.cleanup());

describe('the lists over the runs table', () => {
  it('streams every run with --json, newest first, as one JSON array', async () => {
    const r = await cli('runs', '--json');
    expect(r.exitCode).toBe(0);
    const rows = JSON.parse(r.stdout) as { runId: string; actionState: string | null; impacts: string[] }[];
    expect(rows).toHaveLength(1204);
    expect(rows[0].runId).toBe('r1199');
    // Byte for byte what one JSON.stringify of the whole list prints (the harness strips the last newline).
    expect(r.stdout).toBe(JSON.stringify(rows, null, 2));
    expect(rows.find((x) => x.runId === 'd-doubt')).toMatchObject({ actionState: 'in_doubt', impacts: ['erp:INV-9'] });
  });

  it('shows an action in doubt in the table and in the trace', async () => {
    const table = await cli('runs', '--automation', 'inv', '--limit', '2000');
    expect(table.stdout).toMatch(/d-doubt.*auto, action in doubt/i);
    const trace = await cli('trace', '--system', 'erp', '--ref', 'INV-9', '--json');
    expect(JSON.parse(trace.stdout)).toEqual([expect.objectContaining({ runId: 'd-doubt', actionState: 'in_doubt', action: 'book' })]);
  });

  it('lists the review queue and the audit queue', async () => {
    const review = await cli('review', 'list', '--json');
    expect((JSON.parse(review.stdout) as { runId: string; awaiting: string; output: unknown }[]).map((x) => [x.runId, x.awaiting, x.output])).toEqual([['b-review', 'review', 'x']]);
    const audit = await cli('review', 'list', '--audit', '--json');
    expect((JSON.parse(audit.stdout) as { runId: string }[]).map((x) => x.runId)).toEqual(['c-audit']);
  });
});

describe('aigov log verify accounts for every row', () => {
  it('passes the log, then fails naming the impacts row deleted and the trigger dropped to do it', async () => {
    const ok = await cli('log', 'verify');
    expect(ok.exitCode).toBe(0);
    expect(ok.stderr).toMatch(/^ok: 2409 events, .* every row accounted for \(1 impacts, 1204 runs\)/);
    const db = new Database(join(w.root, '.aigov/runs.db'));
    db.exec("DROP TRIGGER impacts_no_delete; DELETE FROM impacts WHERE ref = 'INV-9'");
    db.close();
    const bad = await cli('log', 'verify');
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('impacts the impacts rows of event 9 do not match it (1 missing)');
    expect(bad.stderr).toContain('schema trigger impacts_no_delete is missing');
    const json = JSON.parse((await cli('log', 'verify', '--json')).stdout);
    expect(json).toMatchObject({ ok: false, rows: { events: 2409, problems: [{ table: 'impacts', seq: 9 }] }, schema: { problems: ['trigger impacts_no_delete is missing'] } });
    // The next command does not put the trigger back.
    await cli('runs', '--limit', '1');
    expect((await cli('log', 'verify')).exitCode).toBe(1);
  });
});
