// The dashboard in a terminal: one row an automation, the ones that need
// attention first, their flags in words underneath; never wider than 120
// columns. Pure: the model in, text out.
import type { Dashboard, DashboardFlag, DashboardRow } from '../../core/report/dashboard.js';
import { count, pct } from '../../core/report/format.js';
import { paint, type Output } from '../output.js';
import { terminalSafe } from './terminal-safe.js';

export const MAX_WIDTH = 120;

export const DASHBOARD_FLAG_WORDS: Readonly<Record<DashboardFlag, string>> = {
  review_overdue: 'review overdue',
  eval_failing: 'eval failing',
  model_mismatch: 'model mismatch',
  tier_drift: 'tier drift',
  lock_drift: 'lock drift',
  review_missed: 'monthly review missed',
};

interface Column {
  title: string;
  width: number;
  right?: boolean;
  cell: (r: DashboardRow, until: number) => string;
}

const COLUMNS: Column[] = [
  { title: 'automation', width: 22, cell: (r) => r.id },
  { title: 'tier', width: 4, right: true, cell: (r) => String(r.tier) },
  { title: 'owner', width: 18, cell: (r) => r.owner },
  { title: 'runs', width: 7, right: true, cell: (r) => count(r.runs) },
  { title: 'error', width: 6, right: true, cell: (r) => pct(r.errorRate) },
  { title: 'override', width: 8, right: true, cell: (r) => pct(r.overrideRate) },
  { title: 'low-conf', width: 8, right: true, cell: (r) => pct(r.lowConfidenceRate) },
  { title: 'backlog', width: 10, right: true, cell: (r, now) => (r.reviewBacklog.count ? `${count(r.reviewBacklog.count)} (${age(now - Date.parse(r.reviewBacklog.oldestAt!))})` : '0') },
  { title: 'median', width: 6, right: true, cell: (r) => (r.medianConfidence === null ? '–' : r.medianConfidence.toFixed(2)) },
  { title: 'cost', width: 8, right: true, cell: (r) => `$${r.costUsd < 1000 ? r.costUsd.toFixed(2) : Math.round(r.costUsd).toString()}` },
  { title: 'last eval', width: 13, cell: (r, now) => (r.lastEval ? `${r.lastEval.passed ? (r.lastEval.passRate === null ? 'pass' : pct(r.lastEval.passRate, 0)) : 'FAIL'} ${age(now - Date.parse(r.lastEval.at))} ago` : 'none') },
];

export function renderDashboardTerminal(d: Dashboard, o: Pick<Output, 'color'>): string {
  const until = Date.parse(d.until);
  const days = Math.round((until - Date.parse(d.since)) / 86_400_000);
  const lines = [`${d.automations.length} automation${d.automations.length === 1 ? '' : 's'}, runs started ${d.since.slice(0, 10)} to ${d.until.slice(0, 10)} (${days} days)`, ''];
  if (!d.automations.length) return `${lines[0]}\nno automations in this workspace`;
  lines.push(paint(o, 'bold', row(COLUMNS.map((c) => c.title))));
  for (const r of d.automations) {
    lines.push(row(COLUMNS.map((c) => c.cell(r, until))));
    r.flags.forEach((f, i) => lines.push(paint(o, f === 'review_overdue' || f === 'eval_failing' ? 'red' : 'yellow', `  ${fit(`! ${DASHBOARD_FLAG_WORDS[f]}: ${r.flagDetails[i]}`, MAX_WIDTH - 2)}`)));
  }
  const flagged = d.automations.filter((r) => r.flags.length).length;
  lines.push('', flagged ? `${flagged} of ${d.automations.length} need attention` : 'nothing needs attention');
  return lines.join('\n');
}

function row(cells: string[]): string {
  return COLUMNS.map((c, i) => {
    const text = fit(terminalSafe(cells[i]), c.width);
    return c.right ? text.padStart(c.width) : text.padEnd(c.width);
  })
    .join(' ')
    .trimEnd();
}

/** Cut to `width` code points, with an ellipsis where something was cut. */
function fit(text: string, width: number): string {
  const chars = [...terminalSafe(text.replace(/\s+/g, ' '))];
  return chars.length <= width ? chars.join('') : `${chars.slice(0, width - 1).join('')}…`;
}

function age(ms: number): string {
  const m = Math.max(0, ms) / 60_000;
  if (m < 60) return `${Math.floor(m)}m`;
  if (m < 48 * 60) return `${Math.floor(m / 60)}h`;
  return `${Math.floor(m / 1440)}d`;
}
