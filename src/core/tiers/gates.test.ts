import { describe, expect, it } from 'vitest';
import { INIT_GOVERNANCE } from '../workspace/placeholders.js';
import type { GateFacts } from './facts.js';
import { gates, type Gate, type GateName } from './gates.js';
import { PROMOTION_DEFAULTS, promotionThresholds } from './policy.js';

const GOVERNANCE = { purpose: 'a', data: 'b', decisions: { autonomous: 'c', humanReview: 'd' }, testing: 'e', monitoring: 'f', overrideProcess: 'g', limitations: 'h' };
const ASOF = '2026-12-01T00:00:00.000Z';
const DAY = 86_400_000;
const before = (ms: number) => new Date(Date.parse(ASOF) - ms).toISOString();

/** Facts under which every gate passes at the defaults: 200 runs, 2 failed, 5 corrected, 20 low-confidence. */
function facts(over: Partial<GateFacts> = {}): GateFacts {
  return {
    to: 2,
    owner: 'jane@example.com',
    governance: GOVERNANCE,
    lockDrift: [],
    evals: [{ suite: 'inv', evidence: { passed: true, passRate: 1, at: '2026-11-30T10:00:00Z' } }],
    runs: { started: 200, finished: 198, failed: 2, corrected: 5, lowConfidenceReviews: 20 },
    oldestWaitingAt: null,
    asOf: ASOF,
    reversal: true,
    notify: true,
    ...over,
  };
}

function gate(f: GateFacts, name: GateName): Gate {
  const g = gates(f).find((x) => x.name === name);
  if (!g) throw new Error(`no gate ${name}`);
  return g;
}

describe('gates', () => {
  it('lists every gate of SPEC in order, with reversal and notify only on the way to tier 2', () => {
    expect(gates(facts()).map((g) => [g.name, g.pass])).toEqual([
      ['governance', true],
      ['lock', true],
      ['evals', true],
      ['runs', true],
      ['errorRate', true],
      ['overrideRate', true],
      ['lowConfidenceRate', true],
      ['reviewBacklog', true],
      ['reversal', true],
      ['notify', true],
    ]);
    expect(gates(facts({ to: 3 })).map((g) => g.name)).not.toContain('reversal');
  });

  it('takes the defaults of SPEC, and the automation’s own values where given', () => {
    expect(PROMOTION_DEFAULTS).toEqual({ minRuns: 100, maxOverrideRate: 0.05, maxErrorRate: 0.02, maxLowConfidenceRate: 0.2 });
    expect(promotionThresholds({ minRuns: 10, maxErrorRate: undefined })).toEqual({ ...PROMOTION_DEFAULTS, minRuns: 10 });
    expect(gates(facts()).filter((g) => typeof g.required === 'number').map((g) => [g.name, g.required])).toEqual([
      ['runs', 100],
      ['errorRate', 0.02],
      ['overrideRate', 0.05],
      ['lowConfidenceRate', 0.2],
      ['reviewBacklog', 31],
    ]);
  });

  it.each<[string, GateName, Partial<GateFacts>, boolean, Gate['actual']]>([
    // governance
    ['every answer given', 'governance', {}, true, 'all answered'],
    ['no owner', 'governance', { owner: '  ' }, false, 'owner is missing'],
    ['no owner at all', 'governance', { owner: undefined }, false, 'owner is missing'],
    ['an answer missing', 'governance', { governance: { ...GOVERNANCE, data: undefined } }, false, 'governance.data is missing'],
    ['a blank answer', 'governance', { governance: { ...GOVERNANCE, testing: ' ' } }, false, 'governance.testing is empty'],
    ['the init placeholder', 'governance', { governance: { ...GOVERNANCE, purpose: INIT_GOVERNANCE.purpose } }, false, 'governance.purpose is the example text of `aigov init`'],
    ['no governance block', 'governance', { governance: undefined }, false, expect.stringMatching(/^governance\.purpose is missing; .*governance\.limitations is missing$/) as unknown as string],
    // lock
    ['a current lock', 'lock', {}, true, 'current'],
    ['lock drift', 'lock', { lockDrift: ['model "fast" is not locked', 'prompt "inv" changed since it was locked'] }, false, 'model "fast" is not locked; prompt "inv" changed since it was locked'],
    // evals
    ['a passing eval', 'evals', {}, true, 'inv: passed (100%) at 2026-11-30T10:00:00Z'],
    ['a failing eval', 'evals', { evals: [{ suite: 'inv', evidence: { passed: false, passRate: 0.75, at: 'T' } }] }, false, 'inv: failed (75%) at T'],
    ['no eval at the current prompt and model', 'evals', { evals: [{ suite: 'inv', evidence: null }] }, false, 'inv: no eval at the current prompt and locked model'],
    ['one of two suites without evidence', 'evals', { evals: [{ suite: 'a', evidence: { passed: true, passRate: null, at: 'T' } }, { suite: 'b', evidence: null }] }, false, 'a: passed at T; b: no eval at the current prompt and locked model'],
    ['no suites at all', 'evals', { evals: [] }, false, 'no suites in evals'],
    ['every case passed, but the answers came from another model', 'evals', { evals: [{ suite: 'inv', evidence: { passed: false, passRate: 1, at: 'T' } }] }, false, 'inv: failed (100%) at T'],
    // runs (boundary: exactly minRuns passes)
    ['more than minRuns', 'runs', {}, true, 198],
    ['exactly minRuns', 'runs', { runs: { started: 100, finished: 100, failed: 0, corrected: 0, lowConfidenceReviews: 0 } }, true, 100],
    ['one short of minRuns', 'runs', { runs: { started: 99, finished: 99, failed: 0, corrected: 0, lowConfidenceReviews: 0 } }, false, 99],
    ['runs counts finished runs, not started ones', 'runs', { runs: { started: 100, finished: 99, failed: 1, corrected: 0, lowConfidenceReviews: 0 } }, false, 99],
    ['minRuns 0 and no runs', 'runs', { promotion: { minRuns: 0 }, runs: { started: 0, finished: 0, failed: 0, corrected: 0, lowConfidenceReviews: 0 } }, true, 0],
    // errorRate = failed / started, at most 0.02
    ['error rate under the maximum', 'errorRate', { runs: { started: 200, finished: 199, failed: 1, corrected: 0, lowConfidenceReviews: 0 } }, true, 0.005],
    ['error rate exactly at the maximum', 'errorRate', { runs: { started: 100, finished: 98, failed: 2, corrected: 0, lowConfidenceReviews: 0 } }, true, 0.02],
    ['error rate just over the maximum', 'errorRate', { runs: { started: 1000, finished: 979, failed: 21, corrected: 0, lowConfidenceReviews: 0 } }, false, 0.021],
    ['error rate with no runs', 'errorRate', { runs: { started: 0, finished: 0, failed: 0, corrected: 0, lowConfidenceReviews: 0 } }, true, null],
    ['error rate against its own maximum', 'errorRate', { promotion: { maxErrorRate: 0 }, runs: { started: 100, finished: 99, failed: 1, corrected: 0, lowConfidenceReviews: 0 } }, false, 0.01],
    // overrideRate = corrected / finished, at most 0.05
    ['override rate exactly at the maximum', 'overrideRate', { runs: { started: 100, finished: 100, failed: 0, corrected: 5, lowConfidenceReviews: 0 } }, true, 0.05],
    ['override rate just over the maximum', 'overrideRate', { runs: { started: 100, finished: 100, failed: 0, corrected: 6, lowConfidenceReviews: 0 } }, false, 0.06],
    ['override rate with no finished run', 'overrideRate', { runs: { started: 3, finished: 0, failed: 3, corrected: 0, lowConfidenceReviews: 0 } }, true, null],
    ['override rate against its own maximum, a decimal that floats badly', 'overrideRate', { promotion: { maxOverrideRate: 0.29 }, runs: { started: 100, finished: 100, failed: 0, corrected: 29, lowConfidenceReviews: 0 } }, true, 0.29],
    // lowConfidenceRate = low-confidence reviews / finished, at most 0.2
    ['low-confidence rate exactly at the maximum', 'lowConfidenceRate', { runs: { started: 150, finished: 150, failed: 0, corrected: 0, lowConfidenceReviews: 30 } }, true, 0.2],
    ['low-confidence rate with no finished run', 'lowConfidenceRate', { runs: { started: 2, finished: 0, failed: 2, corrected: 0, lowConfidenceReviews: 0 } }, true, null],
    ['low-confidence rate of every run, against a maximum of 1', 'lowConfidenceRate', { promotion: { maxLowConfidenceRate: 1 }, runs: { started: 10, finished: 10, failed: 0, corrected: 0, lowConfidenceReviews: 10 } }, true, 1],
    ['low-confidence rate over the maximum', 'lowConfidenceRate', { runs: { started: 150, finished: 150, failed: 0, corrected: 0, lowConfidenceReviews: 31 } }, false, 31 / 150],
    // reviewBacklog: nothing waiting longer than the cadence (monthly: 31 days)
    ['nothing waiting', 'reviewBacklog', {}, true, 0],
    ['a run waiting three days', 'reviewBacklog', { oldestWaitingAt: before(3 * DAY) }, true, 3],
    ['a run waiting exactly the cadence', 'reviewBacklog', { oldestWaitingAt: before(31 * DAY) }, true, 31],
    ['a run waiting a second past the cadence', 'reviewBacklog', { oldestWaitingAt: before(31 * DAY + 1000) }, false, 31 + 1000 / DAY],
    ['a run that began to wait after the clock (a host ahead of this one)', 'reviewBacklog', { oldestWaitingAt: before(-3 * DAY) }, true, 0],
    ['a weekly cadence, exactly 7 days', 'reviewBacklog', { cadence: 'weekly', oldestWaitingAt: before(7 * DAY) }, true, 7],
    ['a weekly cadence', 'reviewBacklog', { cadence: 'weekly', oldestWaitingAt: before(8 * DAY) }, false, 8],
    ['a quarterly cadence', 'reviewBacklog', { cadence: 'quarterly', oldestWaitingAt: before(90 * DAY) }, true, 90],
    ['a quarterly cadence, a day past 92', 'reviewBacklog', { cadence: 'quarterly', oldestWaitingAt: before(93 * DAY) }, false, 93],
    // to tier 2
    ['a reversal command', 'reversal', {}, true, 'configured'],
    ['no reversal command', 'reversal', { reversal: false }, false, 'not configured'],
    ['a notify command', 'notify', {}, true, 'configured'],
    ['no notify command', 'notify', { notify: false }, false, 'not configured'],
  ])('%s (%s)', (_name, name, over, pass, actual) => {
    const g = gate(facts(over), name);
    expect(g.pass).toBe(pass);
    expect(g.actual).toEqual(actual);
  });

  it('fails only the gates whose facts fail', () => {
    const failing = gates(facts({ lockDrift: ['x'], runs: { started: 50, finished: 40, failed: 10, corrected: 0, lowConfidenceReviews: 0 }, notify: false }))
      .filter((g) => !g.pass)
      .map((g) => g.name);
    expect(failing).toEqual(['lock', 'runs', 'errorRate', 'notify']);
  });
});

describe('gates read the stats fold as it is', () => {
  it('promotion facts from a folded log, counted by hand', async () => {
    const { foldEvents } = await import('../stats/fold.js');
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    const at = (min: number) => new Date(t0 + min * 60_000).toISOString();
    const events = [];
    // 120 runs at tier 1: every 40th fails (39, 79, 119), every 30th that did not fail is low
    // confidence and goes to review (29, 59, 89), every 50th is rejected (49, 99); 89 is never resolved.
    for (let i = 0; i < 120; i++) {
      const runId = `r${i}`;
      events.push({ type: 'run_started', at: at(i * 10), automation: 'inv', runId, data: { tier: 1 } });
      if (i % 40 === 39) {
        events.push({ type: 'run_failed', at: at(i * 10 + 1), automation: 'inv', runId, data: { durationMs: 10 } });
        continue;
      }
      const review = i % 30 === 29;
      events.push({ type: 'run_finished', at: at(i * 10 + 1), automation: 'inv', runId, data: { confidence: review ? 0.4 : 0.95, disposition: review ? 'review' : 'approval_required', durationMs: 100 } });
      if (i === 89) continue;
      events.push({ type: 'review_resolved', at: at(i * 10 + 2), automation: 'inv', runId, data: { decision: i % 50 === 49 ? 'reject' : 'approve' } });
    }
    const stats = foldEvents(events, '2026-11-05T00:00:00Z').automations[0];
    expect(stats.total).toMatchObject({ started: 120, failed: 3, finished: 117, lowConfidenceReviews: 3, approvals: 114, rejections: 2, corrected: 2 });
    expect(stats.backlog).toMatchObject({ count: 1, oldestAt: at(891) });
    const g = gates(facts({ runs: stats.total, oldestWaitingAt: stats.backlog.oldestAt, asOf: '2026-11-05T00:00:00Z' }));
    const byName = Object.fromEntries(g.map((x) => [x.name, x]));
    expect(byName.runs).toMatchObject({ actual: 117, pass: true });
    expect(byName.errorRate).toMatchObject({ actual: 3 / 120, pass: false });
    expect(byName.overrideRate).toMatchObject({ actual: 2 / 117, pass: true });
    expect(byName.lowConfidenceRate).toMatchObject({ actual: 3 / 117, pass: true });
    expect(byName.reviewBacklog).toMatchObject({ actual: (Date.parse('2026-11-05T00:00:00Z') - Date.parse(at(891))) / 86_400_000, pass: true });
  });
});
