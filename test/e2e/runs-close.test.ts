// `aigov runs --stale` and `aigov runs close`, and the exit codes of racing
// CLI calls, through the built binary on SQLite and on PostgreSQL.
import { existsSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRow } from '../../src/app/runs.js';
import { aigov } from '../support/cli.js';
import { governedWorkspace, type Governed } from '../support/governed.js';
import { storeBackends } from '../support/stores.js';
import { automationYaml, configYaml, promptYaml } from '../support/workspace.js';

const FILES: Record<string, string> = {
  'aigov.yaml': configYaml('http://127.0.0.1:9/v1'),
  'prompts/cls.yaml': promptYaml('cls'),
  'automations/auto.yaml': automationYaml('auto', 3, 'cls', 'downstream: [erp]\nconfidence: { threshold: 0.8 }\n'),
  'automations/book.yaml': automationYaml('book', 2, 'cls', 'downstream: [erp]\nreversal: { window: 1h, command: [node, unbook.mjs] }\n'),
  'unbook.mjs': "import { appendFileSync } from 'node:fs';\nlet s = '';\nfor await (const c of process.stdin) s += c;\nappendFileSync('unbooked.log', JSON.parse(s).runId + '\\n');\n",
};

const HOUR = 3_600_000;

describe.each(storeBackends('runs close'))('runs that never finished, and racing CLI calls: $name', (backend) => {
  let w: Governed;
  beforeAll(async () => {
    w = await governedWorkspace(backend, FILES);
  });
  afterAll(() => w.cleanup());
  const cli = (...args: string[]) => aigov(args, { cwd: w.root });
  const rows = async (...args: string[]) => JSON.parse((await cli('runs', '--json', ...args)).stdout) as RunRow[];

  it('--stale lists runs started longer ago than that with no end; `runs close` ends one, once', { timeout: 90_000 }, async () => {
    const earlier = await w.governor({ now: () => new Date(Date.now() - 2 * HOUR) });
    const stale = await earlier.start('auto', { text: 'x' });
    const finishedEarlier = await earlier.start('auto', { text: 'y' });
    await finishedEarlier.finish({ output: 'utilities', confidence: 0.99 });
    const failedEarlier = await earlier.start('auto', { text: 'z' });
    await failedEarlier.fail(new Error('no answer'));
    const recent = await (await w.governor()).start('auto', { text: 'x' });

    expect((await rows('--stale', '1h')).map((r) => [r.runId, r.status])).toEqual([[stale.id, 'running']]);
    expect((await rows('--stale', '1ms')).map((r) => r.runId)).toEqual([recent.id, stale.id]);

    const closed = await cli('runs', 'close', stale.id, '--reason', 'worker killed in the deploy', '--as', 'ann@example.com');
    expect(closed.exitCode).toBe(0);
    expect(closed.stderr).toContain(`${stale.id}: closed as abandoned by ann@example.com`);
    const event = (await w.store.query({ runId: stale.id, types: ['run_abandoned'] }))[0];
    expect(event).toMatchObject({ actor: 'ann@example.com', data: { reason: 'worker killed in the deploy', by: 'ann@example.com', identity: { osUser: userInfo().username, host: hostname() } } });
    expect(await rows('--stale', '1h')).toEqual([]);
    expect((await rows()).find((r) => r.runId === stale.id)).toMatchObject({ status: 'abandoned' });

    const results = await Promise.all([
      cli('runs', 'close', stale.id, '--reason', 'again'),
      cli('runs', 'close', finishedEarlier.id, '--reason', 'finished already'),
      cli('runs', 'close', failedEarlier.id, '--reason', 'failed already'),
      cli('runs', 'close', recent.id),
      cli('runs', '--stale', 'an hour'),
      cli('runs', '--stale', '1h', '--disposition', 'auto'),
    ]);
    expect(results.map((r) => r.exitCode)).toEqual([1, 1, 1, 2, 2, 2]);
    expect(results[0].stderr).toContain('was closed by ann@example.com');
    expect(results[1].stderr).toContain('finished at');
    expect(results[2].stderr).toContain('failed at');
    expect(results[4].stderr).toContain('not a duration');
    // A late finish of the closed run is refused: the close stands.
    await expect(stale.finish({ output: 'late', confidence: 0.99 })).rejects.toMatchObject({ code: 'E_CONFLICT' });
  });

  it('of two reviewers deciding one run at once, one exits 0 and the other 1; 5 pairs', { timeout: 120_000 }, async () => {
    const gov = await w.governor();
    for (let pair = 0; pair < 5; pair++) {
      const h = await gov.start('auto', { text: 'x' });
      await h.finish({ output: 'utilities', confidence: 0.1 });
      const [a, b] = await Promise.all([
        cli('review', 'approve', h.id, '--as', 'ann@example.com'),
        cli('review', 'reject', h.id, '--reason', 'not an invoice', '--as', 'bob@example.com'),
      ]);
      expect([a.exitCode, b.exitCode].sort(), `pair ${pair}: ${a.stderr} ${b.stderr}`).toEqual([0, 1]);
      expect((a.exitCode ? a : b).stderr).toMatch(/changed since it was read|already resolved/);
      expect(await w.store.query({ runId: h.id, types: ['review_resolved'] })).toHaveLength(1);
    }
  });

  it('of two reverts of one action at once, one exits 0 and the other 1, and the reversal command runs once; 5 pairs', { timeout: 120_000 }, async () => {
    const gov = await w.governor();
    for (let pair = 0; pair < 5; pair++) {
      const h = await gov.start('book', { text: 'x' });
      await h.finish({ output: 'utilities', confidence: 0.99 });
      await gov.act(h.id, () => undefined, { impacts: [{ system: 'erp', ref: `INV-${pair}` }] });
      const [a, b] = await Promise.all([0, 1].map(() => cli('revert', h.id, '--reason', 'wrong', '--as', 'ann@example.com')));
      expect([a.exitCode, b.exitCode].sort(), `pair ${pair}: ${a.stderr} ${b.stderr}`).toEqual([0, 1]);
      expect((a.exitCode ? a : b).stderr).toMatch(/changed since it was read|already reverted|has not recorded its result/);
      const log = join(w.root, 'unbooked.log');
      expect(existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l === h.id) : []).toHaveLength(1);
    }
  });
});
