// The dashboard, the monthly review and calibration through the built binary,
// on two months of run log made by the built library (observed-log.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../dist/store/open.js';
import { foldEvents } from '../../dist/core/stats/fold.js';
import { errorRate, lowConfidenceRate, overrideRate } from '../../dist/core/stats/rates.js';
import { byMonth } from '../../dist/core/stats/windows.js';
import { gates } from '../../dist/core/tiers/gates.js';
import { aigov } from '../support/cli.js';
import { buildObservedLog, readFile, type ObservedLog } from '../support/observed-log.js';

let log: ObservedLog;
const cli = (...args: string[]) => aigov(args, { cwd: log.root });
const json = <T = any>(text: string): T => JSON.parse(text) as T; // eslint-disable-line @typescript-eslint/no-explicit-any
const start = (m: string) => `${m}-01T00:00:00.000Z`;

beforeAll(async () => {
  log = await buildObservedLog();
}, 120_000);
afterAll(() => log?.cleanup());

describe('one rate everywhere', () => {
  it('the dashboard, the report and the fold (and so promotion) agree on last month', async () => {
    const { reviewed, current } = log.months;
    const [dash, rep] = await Promise.all([cli('dashboard', '--since', start(reviewed), '--until', start(current), '--json'), cli('report', '--month', reviewed, '--format', 'json')]);
    expect(dash.exitCode, dash.stderr).toBe(0);
    expect(rep.exitCode, rep.stderr).toBe(0);
    const d = json(dash.stdout);
    const r = json(rep.stdout);
    const store = await openStore(`sqlite:${log.root}/.aigov/runs.db`, log.root);
    const events = [];
    for await (const e of store.scan()) events.push(e);
    await store.close();
    const folded = foldEvents(events, new Date().toISOString(), { windowOf: byMonth });
    for (const id of ['inv', 'route', 'triage']) {
      const row = d.automations.find((a: { id: string }) => a.id === id);
      const month = r.automations.find((a: { id: string }) => a.id === id).current;
      const w = folded.automations.find((a) => a.automation === id)!.windows.find((x) => x.window === reviewed)!;
      const fromFold = { runs: w.started, errorRate: errorRate(w), overrideRate: overrideRate(w), lowConfidenceRate: lowConfidenceRate(w) };
      const pick = (x: Record<string, unknown>) => ({ runs: x.runs, errorRate: x.errorRate, overrideRate: x.overrideRate, lowConfidenceRate: x.lowConfidenceRate });
      expect(pick(row), id).toEqual(fromFold);
      expect(pick(month), id).toEqual(fromFold);
      const g = gates({ to: 2, owner: 'x', governance: undefined, lockDrift: [], evals: [], runs: w, oldestWaitingAt: null, asOf: new Date().toISOString(), reversal: true, notify: true });
      expect(g.find((x) => x.name === 'errorRate')!.actual, id).toBe(fromFold.errorRate);
      expect(g.find((x) => x.name === 'overrideRate')!.actual, id).toBe(fromFold.overrideRate);
    }
    const inv = r.automations.find((a: { id: string }) => a.id === 'inv');
    expect(inv.current.runs).toBeGreaterThan(700);
    expect(inv.current.corrected).toBeGreaterThan(10); // overrides and reverts
  });
});

describe('aigov report', () => {
  it('flags the significant rise and not the noise, and --fail-on-flags exits 1', async () => {
    const { reviewed } = log.months;
    const [r, gate] = await Promise.all([cli('report', '--month', reviewed, '--json'), cli('report', '--month', reviewed, '--fail-on-flags', '--quiet')]);
    const rep = json(r.stdout);
    const codes = (id: string) => rep.automations.find((a: { id: string }) => a.id === id).flags.map((f: { code: string }) => f.code);
    expect(codes('inv')).toContain('error_rising'); // 1% to 5% of 800
    expect(codes('inv')).not.toContain('override_rising');
    expect(codes('route')).not.toContain('override_rising'); // 1 of 30 to 3 of 30
    const rise = rep.automations.find((a: { id: string }) => a.id === 'inv').flags.find((f: { code: string }) => f.code === 'error_rising');
    expect(rise.pValue).toBeLessThan(0.001);
    expect(rep.previousMonth).toBe(log.months.previous);
    expect(gate.exitCode).toBe(1);
  });

  it('writes Markdown to a file', async () => {
    const r = await cli('report', '--month', log.months.reviewed, '-o', 'review.md');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('wrote review.md');
    const md = readFile(log.root, 'review.md');
    expect(md).toContain(`# Monthly review ${log.months.reviewed}`);
    expect(md).toContain("- `error_rising` error rate rising: error rate 1% → 5% (8 of 800 started → 40 of 800); one-sided Fisher's exact test p = ");
  });

  it('sign-off exits 0 whatever the flags, and clears review_missed for the next month', async () => {
    const { reviewed, current } = log.months;
    const missed = async () => json((await cli('report', '--month', current, '--json')).stdout).automations.filter((a: { flags: { code: string }[] }) => a.flags.some((f) => f.code === 'review_missed')).map((a: { id: string }) => a.id);
    expect(await missed()).toEqual(['inv', 'route', 'triage']);
    const s = await cli('report', '--month', reviewed, '--sign-off', '--as', 'board@example.com');
    expect(s.exitCode, s.stderr).toBe(0);
    expect(s.stderr).toContain(`signed off ${reviewed} for 3 automations by board@example.com`);
    expect(await missed()).toEqual([]);
    const store = await openStore(`sqlite:${log.root}/.aigov/runs.db`, log.root);
    const logged = await store.query({ types: ['review_completed'] });
    await store.close();
    expect(logged.map((e) => [e.automation, e.data.month, e.data.by])).toEqual([
      ['inv', reviewed, 'board@example.com'],
      ['route', reviewed, 'board@example.com'],
      ['triage', reviewed, 'board@example.com'],
    ]);
    expect(logged[0].data.flags).toContain('error_rising');
  });

  it('refuses a bad month and a month that has not begun, with exit 2', async () => {
    const [bad, future] = await Promise.all([cli('report', '--month', '2026-13'), cli('report', '--month', '2999-01')]);
    expect([bad.exitCode, future.exitCode]).toEqual([2, 2]);
    expect(bad.stderr).toMatch(/not a month/);
    expect(future.stderr).toMatch(/has not begun/);
  });
});

describe('aigov calibrate', () => {
  it('finds the threshold of the synthetic set', async () => {
    const r = await cli('calibrate', 'triage', '--target-precision', '0.8', '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const c = json(r.stdout);
    expect(c).toMatchObject({ automation: 'triage', graded: 50, threshold: 0.85, sample: 'complete' });
    expect(c.ece).toBeCloseTo(0.09, 10);
    expect(c.brier).toBeCloseTo(0.1305, 10);
    expect(c.coverage).toBeCloseTo(0.6, 10);
    expect(c.bins).toHaveLength(10);
  });

  it('refuses with exit 1 and the count needed when the grades are too few', async () => {
    const r = await cli('calibrate', 'triage');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/too few graded runs: 50 graded, at least 59 without an error are needed/);
    expect(r.stdout).toMatch(/expected calibration error 0\.0900 {3}Brier score 0\.1305/);
  });

  it('says the audit sample makes the grades of auto runs unbiased', async () => {
    const c = json((await cli('calibrate', 'inv', '--json')).stdout);
    expect(c.sample).toBe('audited');
    expect(c.sources.audit).toBeGreaterThan(10);
  });

  it('--apply writes the threshold with the comments kept, and logs it', async () => {
    const r = await cli('calibrate', 'triage', '--target-precision', '0.8', '--apply', '--as', 'ann@example.com');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('automations/triage.yaml: confidence.threshold 0.5 → 0.85, logged as threshold_changed');
    expect(readFile(log.root, 'automations/triage.yaml')).toContain('# a person approves every run\nconfidence: { threshold: 0.85 } # set by hand, before any data\n');
    const store = await openStore(`sqlite:${log.root}/.aigov/runs.db`, log.root);
    const [e] = await store.query({ types: ['threshold_changed'] });
    await store.close();
    expect(e).toMatchObject({ automation: 'triage', actor: 'ann@example.com', data: { from: 0.5, to: 0.85, evidence: { graded: 50, targetPrecision: 0.8 } } });
    const verify = await cli('log', 'verify');
    expect(verify.exitCode, verify.stderr).toBe(0);
    const again = await cli('calibrate', 'triage', '--target-precision', '0.8', '--apply');
    expect(again.stderr).toContain('confidence.threshold is already 0.85; nothing written');
  });

  it('an unknown automation is exit 2 with a suggestion', async () => {
    const r = await cli('calibrate', 'triag');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unknown automation "triag".*\n.*did you mean "triage"\?/);
  });
});

describe('aigov dashboard', () => {
  it('one row an automation in 120 columns, the flagged first; --html writes the page', async () => {
    const r = await cli('dashboard', '--since', start(log.months.previous), '--html', 'dash.html');
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(120);
    const rows = lines.filter((l) => /^(inv|route|triage) /.test(l)).map((l) => l.split(' ')[0]);
    expect(rows.sort()).toEqual(['inv', 'route', 'triage']);
    const html = readFile(log.root, 'dash.html');
    expect(html.match(/<section class="card automation"/g)).toHaveLength(3);
  });

  it('refuses a window that ends before it starts', async () => {
    const r = await cli('dashboard', '--since', '2026-11-10', '--until', '2026-11-01');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--since must be before --until/);
  });
});
