import { describe, expect, it } from 'vitest';
import { figures } from '../../core/report/figures.js';
import type { MonthlyReport } from '../../core/report/monthly.js';
import { emptyBacklog } from '../../core/stats/backlog.js';
import { newWindow, windowStats } from '../../core/stats/window-stats.js';
import { renderReportMarkdown } from './report-markdown.js';

const w = (c: { started: number; failed: number }) => windowStats(Object.assign(newWindow('m'), { ...c, finished: c.started - c.failed }));

const report: MonthlyReport = {
  month: '2026-11',
  previousMonth: '2026-10',
  asOf: '2026-12-02T09:00:00.000Z',
  automations: [
    {
      id: 'inv',
      name: 'Invoices | [click](http://evil) <b>',
      owner: 'jane@example.com',
      tier: 2,
      inWorkspace: true,
      current: figures(w({ started: 100, failed: 12 }), emptyBacklog(), null),
      previous: figures(w({ started: 100, failed: 1 }), emptyBacklog(), null),
      flags: [{ code: 'error_rising', detail: "error rate 1% → 12% (1 of 100 started → 12 of 100); one-sided Fisher's exact test p = 0.0013", pValue: 0.0013 }],
    },
    { id: 'ok', name: 'ok', owner: 'bob', tier: 1, inWorkspace: true, current: figures(w({ started: 5, failed: 0 }), emptyBacklog(), null), previous: figures(w({ started: 0, failed: 0 }), emptyBacklog(), null), flags: [] },
  ],
};

describe('the monthly report in Markdown', () => {
  const md = renderReportMarkdown(report);
  it('opens with a summary table: one row an automation, rates last month → this month', () => {
    expect(md).toContain('# Monthly review 2026-11');
    expect(md).toMatch(/\| 2 \| 100 → 100 \| 1% → 12% \| .* \| `error_rising` \|/);
    expect(md).toMatch(/\| ok \| 1 \| 0 → 5 \| – → 0% \| .* \| none \|/);
  });
  it('escapes names: no link, no cell break, no tag', () => {
    expect(md).toContain('Invoices \\| \\[click\\](http://evil) &lt;b&gt;');
    expect(md).not.toContain('[click](http');
    expect(md).not.toContain('<b>');
  });
  it('a section per automation with its flags and how they are decided', () => {
    expect(md).toContain("- `error_rising` error rate rising: error rate 1% → 12% (1 of 100 started → 12 of 100); one-sided Fisher's exact test p = 0.0013");
    expect(md).toContain('No flags.');
    expect(md).toContain('## How the flags are decided');
    expect(md).toContain('`aigov report --month 2026-11 --sign-off --as WHO`');
  });
});
