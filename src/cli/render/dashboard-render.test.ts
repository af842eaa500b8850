import { describe, expect, it } from 'vitest';
import type { Dashboard, DashboardRow } from '../../core/report/dashboard.js';
import { emptyBacklog } from '../../core/stats/backlog.js';
import { esc, renderDashboardHtml } from './dashboard-html.js';
import { MAX_WIDTH, renderDashboardTerminal } from './dashboard-terminal.js';

const HOSTILE = '<script>alert(1)</script>';

function row(over: Partial<DashboardRow> = {}): DashboardRow {
  return {
    id: 'inv',
    name: 'Invoice classifier',
    owner: 'jane@example.com',
    tier: 2,
    runs: 1234,
    finished: 1200,
    failed: 34,
    corrected: 40,
    lowConfidenceReviews: 100,
    modelMismatches: 0,
    errorRate: 34 / 1234,
    overrideRate: 40 / 1200,
    lowConfidenceRate: 100 / 1200,
    reviewBacklog: { ...emptyBacklog(), count: 3, review: 3, oldestAt: '2026-11-20T10:00:00.000Z', ages: { underDay: 1, underWeek: 2, underMonth: 0, older: 0 } },
    medianConfidence: 0.91,
    confidenceHistogram: [0, 0, 1, 2, 5, 10, 40, 100, 400, 642],
    costUsd: 12.3456,
    lastEval: { suite: 'inv', passRate: 1, passed: true, at: '2026-11-28T10:00:00.000Z' },
    calibration: { graded: 300, ece: 0.031, threshold: 0.86 },
    flags: [],
    flagDetails: [],
    weekly: [
      { week: '2026-W46', runs: 400, finished: 390, errorRate: 0.02, overrideRate: 0.03 },
      { week: '2026-W47', runs: 434, finished: 420, errorRate: 0.03, overrideRate: 0.04 },
      { week: '2026-W48', runs: 400, finished: 390, errorRate: null, overrideRate: null },
    ],
    ...over,
  };
}

const dashboard = (rows: DashboardRow[]): Dashboard => ({ since: '2026-11-01T00:00:00.000Z', until: '2026-12-01T00:00:00.000Z', automations: rows });

describe('the dashboard in a terminal', () => {
  const long = row({
    id: 'a'.repeat(60),
    owner: `${'o'.repeat(50)}@example.com`,
    runs: 123_456_789,
    costUsd: 98_765_432.1,
    flags: ['review_overdue', 'lock_drift'],
    flagDetails: ['a run has waited 40 days for review, longer than the monthly cadence', `model "${'m'.repeat(200)}" is not locked`],
  });
  const text = renderDashboardTerminal(dashboard([long, row({ name: HOSTILE, owner: '\x1b[2Jevil\rPASS' })]), { color: false });

  it('fits 120 columns, however long the names and numbers', () => {
    for (const line of text.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(MAX_WIDTH);
  });

  it('has one row an automation, and the flags in words under it', () => {
    const lines = text.split('\n');
    expect(lines[2]).toMatch(/^automation\s+tier\s+owner\s+runs\s+error\s+override\s+low-conf\s+backlog\s+median\s+cost\s+last eval$/);
    expect(lines[3]).toMatch(/^a{21}… +2 o{17}… /);
    expect(lines[4]).toMatch(/^ {2}! review overdue: a run has waited 40 days/);
    expect(lines[5]).toMatch(/^ {2}! lock drift: model "m+…$/);
    expect(lines.at(-1)).toBe('1 of 2 need attention');
  });

  it('shows control characters from the files as text', () => {
    expect(text).not.toMatch(/\x1b|\r/);
    expect(text).toContain('␛[2Jevil␍PASS');
  });
});

describe('the dashboard as an HTML page', () => {
  const html = renderDashboardHtml(dashboard([row({ id: 'x', name: HOSTILE, owner: `"><img src=x onerror=alert(1)>`, flags: ['eval_failing'], flagDetails: [`failing: ${HOSTILE}`] }), row()]));

  it('escapes every value from the log and the files', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(esc(`<a href='x'>&`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;');
  });

  it('is self-contained: no script, no external reference, a policy that forbids both', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<(script|link|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/<[^>]*\bsrc=/); // a tag with a source; the escaped owner's text is not a tag
  });

  it('has one section per automation, each with a 10-bar histogram, the weekly rates and the backlog', () => {
    const sections = html.split('<section class="card automation"').slice(1);
    expect(sections).toHaveLength(2);
    for (const s of sections) {
      expect(s.match(/<rect class="bar"/g)).toHaveLength(10);
      expect(s.match(/<rect class="rate"/g)).toHaveLength(6); // 3 weeks × (error, override)
      expect(s).toContain('3 waiting (3 for review, 0 for approval)');
    }
  });
});
