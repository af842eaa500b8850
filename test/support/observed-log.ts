// A workspace and two months of run log made by the built library, for the
// end-to-end tests of dashboard, report and calibrate: thousands of runs with
// reviews, overrides, rejections, actions and reverts, and the audit sample
// (`review.sample`) the library draws, graded as `aigov review` grades it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openGovernor } from '../../dist/index.js';
import { openStore } from '../../dist/store/open.js';
import { resolveReview } from '../../dist/app/review.js';
import { revertRun } from '../../dist/app/revert.js';
import { openWorkspace } from '../../dist/app/workspace.js';
import { aigov } from './cli.js';
import { grantFileTiers } from './ledger.js';
import { startModelServer } from './model-server.mjs';
import { automationYaml, configYaml, promptYaml, tempWorkspace } from './workspace.js';

/** Who the reviewer's machine says they are, as `aigov review` records it. */
const IDENTITY = { osUser: 'ann', host: 'review-host', gitEmail: 'ann@example.com' };

/** The synthetic calibration set of calibrate.test.ts: [confidence, runs, wrong]; at precision 0.8 its threshold is 0.85. */
export const SYNTHETIC: [number, number, number][] = [
  [0.95, 20, 0],
  [0.85, 10, 1],
  [0.75, 10, 5],
  [0.45, 10, 6],
];

export interface ObservedLog {
  root: string;
  /** The month before last, last month, this month (UTC, YYYY-MM). */
  months: { previous: string; reviewed: string; current: string };
  cleanup(): void;
}

const addMonths = (m: string, n: number) => {
  const [y, mo] = m.split('-').map(Number);
  const i = y * 12 + mo - 1 + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
};

/** Spreads `n` runs over the first 27 days of a month. */
const when = (month: string, i: number, n: number) => new Date(Date.parse(`${month}-01T06:00:00Z`) + Math.floor((i * 27 * 86_400_000) / n));
/** A low-discrepancy sequence in [0, 1): evenly spread, deterministic. */
const spread = (i: number) => (i * 0.6180339887498949) % 1;

export async function buildObservedLog(opts: { runsPerMonth?: number } = {}): Promise<ObservedLog> {
  const n = opts.runsPerMonth ?? 800;
  const current = new Date().toISOString().slice(0, 7);
  const months = { previous: addMonths(current, -2), reviewed: addMonths(current, -1), current };
  const server = await startModelServer({ aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' }, record: false });
  const w = tempWorkspace({
    'aigov.yaml': configYaml(server.openaiBaseURL),
    'prompts/cls.yaml': promptYaml('cls'),
    'automations/inv.yaml': automationYaml('inv', 2, 'cls', 'name: Invoice booking\ndownstream: [erp]\nconfidence: { threshold: 0.8 }\nreversal: { window: 30d, command: [node, scripts/unbook.mjs] }\nreview: { cadence: monthly, sample: 0.05 }\n').replace('name: inv\n', ''),
    'automations/route.yaml': automationYaml('route', 3, 'cls', 'confidence: { threshold: 0.8 }\n'),
    'automations/triage.yaml': automationYaml('triage', 1, 'cls', '# a person approves every run\nconfidence: { threshold: 0.5 } # set by hand, before any data\n'),
    'scripts/unbook.mjs': "let s = ''; for await (const c of process.stdin) s += c; console.log('unbooked ' + JSON.parse(s).runId);\n",
  });
  try {
    const pin = await aigov(['pin', '--as', 'ops@example.com'], { cwd: w.root });
    if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
    // The tiers the files say, recorded as promotions would record them.
    grantFileTiers(w.root, { inv: 2, route: 3, triage: 1 });
  } finally {
    await server.close();
  }

  const ws = openWorkspace({ root: w.root });
  const store = await openStore(ws.config!.value.store, ws.root);
  let clock = new Date(`${months.previous}-01T00:00:00Z`);
  const gov = await openGovernor({ root: w.root, env: { TEST_OPENAI_KEY: 'sk-test' }, store, now: () => clock, onWarning: () => undefined });
  const later = (min: number) => new Date(clock.getTime() + min * 60_000);
  const review = async (runId: string, decision: 'approve' | 'override' | 'reject', afterMin = 45) =>
    resolveReview(store, runId, { decision, reviewer: 'ann@example.com', identity: IDENTITY, reason: decision === 'approve' ? undefined : 'wrong category', output: decision === 'override' ? 'travel' : undefined, now: later(afterMin) });

  try {
    for (const [month, failEvery] of [[months.previous, 100], [months.reviewed, 20]] as const) {
      // inv, tier 2: the error rate rises from 1% to 5%; reviews, overrides, actions and reverts alike in both months
      let auto = 0;
      for (let i = 0; i < n; i++) {
        clock = when(month, i, n);
        const confidence = 0.55 + 0.45 * spread(i);
        const h = await gov.start('inv', { text: `invoice ${i}` }, { triggeredBy: 'e2e' });
        if (i % failEvery === 0) {
          await h.fail(Object.assign(new Error('upstream timeout'), { name: 'TimeoutError' }));
          continue;
        }
        const run = await h.finish({ output: 'utilities', confidence, tokens: { input: 300, output: 2 } });
        if (run.disposition === 'review') await review(run.id, i % 10 === 1 ? 'override' : 'approve');
        if (run.disposition === 'auto' && ++auto % 40 === 0) {
          clock = later(5);
          await gov.act(run, () => undefined, { impacts: [{ system: 'erp', ref: `INV-${month}-${i}` }] });
          if (auto % 160 === 0) await revertRun(ws, store, run.id, { by: 'ann@example.com', identity: IDENTITY, reason: 'booked twice', now: later(120) });
        }
        // sampled for audit: acted on as usual (or not), and graded by a person after the fact
        if (run.audit) await review(run.id, i % 9 === 0 ? 'reject' : 'approve', 150);
      }
      // route, tier 3: every run below its threshold goes to review; 1 then 3 of 30 overridden, which is noise
      const overrides = month === months.previous ? 1 : 3;
      for (let i = 0; i < 30; i++) {
        clock = when(month, i, 30);
        const run = await (await gov.start('route', { text: `ticket ${i}` })).finish({ output: 'billing', confidence: 0.6 });
        await review(run.id, i < overrides ? 'override' : 'approve');
      }
    }
    // triage, tier 1, last month only: the synthetic calibration set, every run decided by a person
    let k = 0;
    for (const [confidence, runs, wrong] of SYNTHETIC) {
      for (let i = 0; i < runs; i++, k++) {
        clock = when(months.reviewed, k, 50);
        const run = await (await gov.start('triage', { text: `case ${k}` })).finish({ output: 'urgent', confidence });
        await review(run.id, i < wrong ? 'reject' : 'approve');
      }
    }
  } finally {
    await gov.close();
    await store.close();
  }
  return { root: w.root, months, cleanup: w.cleanup };
}

export const readFile = (root: string, path: string) => readFileSync(join(root, path), 'utf8');
