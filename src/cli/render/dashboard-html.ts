// The dashboard as one self-contained HTML page: inline CSS and SVG, no script,
// no external request (a Content-Security-Policy says so to the browser too),
// readable offline and in a mail attachment. Every value from the log or the
// files goes through `esc`: automation names, owners, suites and flag details
// are untrusted text. Pure: the model in, the page out.
import type { Dashboard, DashboardRow, WeekFigures } from '../../core/report/dashboard.js';
import { count, pct } from '../../core/report/format.js';
import { DASHBOARD_FLAG_WORDS } from './dashboard-terminal.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element or a quoted attribute. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const CSS = `
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --bg: #f5f7fa; --card: #fff; --blue: #2f6690; --red: #c2413b; --amber: #d9822b; --green: #2f855a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; padding-bottom: 8px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0; word-break: break-word; }
h3 { font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 6px; }
.sub { color: var(--muted); margin: 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin: 16px 0; }
table { border-collapse: collapse; width: 100%; }
.scroll { overflow-x: auto; }
th, td { text-align: right; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
th:first-child, td:first-child, td.text { text-align: left; }
td.name { max-width: 240px; overflow: hidden; text-overflow: ellipsis; }
td.flags, th.flags { white-space: normal; text-align: left; min-width: 160px; }
td.owner { max-width: 190px; overflow: hidden; text-overflow: ellipsis; }
tr:last-child td { border-bottom: 0; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 8px; font-size: 12px; margin: 1px 2px 1px 0; white-space: nowrap; }
.badge.warn { background: #fdf0e1; color: #8a4b0f; }
.badge.bad { background: #fbe6e4; color: #8c2620; }
.badge.ok { background: #e3f4ea; color: #22543d; }
.badge.tier { background: #e6eef5; color: var(--blue); }
.head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 14px; margin-bottom: 6px; }
.head .id { color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
ul.flags { margin: 6px 0 12px; padding-left: 18px; }
ul.flags li { margin: 2px 0; }
.tiles { display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: 8px; margin: 10px 0 8px; }
@media (max-width: 760px) { .tiles { grid-template-columns: repeat(3, minmax(0, 1fr)); } }
.meta { color: var(--muted); margin: 0 0 14px; }
.meta b { color: var(--ink); font-weight: 600; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.tile b { display: block; font-size: 18px; font-weight: 600; }
.tile span { font-size: 12px; color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 18px; }
svg { display: block; width: 100%; height: auto; overflow: visible; }
svg text { font: 10px system-ui, sans-serif; fill: var(--muted); }
.legend { font-size: 12px; color: var(--muted); margin-top: 4px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; }
.none { color: var(--muted); font-style: italic; }
footer { color: var(--muted); font-size: 12px; padding-bottom: 32px; }
footer dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
footer dt { font-weight: 600; }
footer dd { margin: 0; }
`;

export function renderDashboardHtml(d: Dashboard): string {
  const flagged = d.automations.filter((r) => r.flags.length).length;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>aigov dashboard, ${esc(day(d.since))} to ${esc(day(d.until))}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>AI automations</h1>
<p class="sub">Runs started ${esc(day(d.since))} to ${esc(day(d.until))} · ${count(d.automations.length)} automation${d.automations.length === 1 ? '' : 's'} · ${flagged ? `${count(flagged)} need${flagged === 1 ? 's' : ''} attention` : 'nothing needs attention'}</p>
</header>
<main>
${overview(d)}
${d.automations.map((r, i) => section(r, i, d)).join('\n')}
</main>
<footer>
<dl>
<dt>error rate</dt><dd>failed runs / started runs</dd>
<dt>override rate</dt><dd>runs overridden, rejected or whose action was reverted / finished runs</dd>
<dt>low-confidence rate</dt><dd>runs sent to review for low confidence / finished runs</dd>
<dt>window</dt><dd>a run counts in the week it started, with every outcome that followed</dd>
</dl>
<p>Written by aigov dashboard at ${esc(d.until)}.</p>
</footer>
</body>
</html>
`;
}

function overview(d: Dashboard): string {
  if (!d.automations.length) return '<section class="card"><p class="none">No automations in this workspace.</p></section>';
  const rows = d.automations
    .map(
      (r, i) => `<tr><td class="name"><a href="#a${i}">${esc(r.name)}</a></td><td>${r.tier}</td><td class="text owner">${esc(r.owner)}</td><td>${count(r.runs)}</td><td>${pct(r.errorRate)}</td><td>${pct(r.overrideRate)}</td><td>${pct(r.lowConfidenceRate)}</td><td>${count(r.reviewBacklog.count)}</td><td>${conf(r.medianConfidence)}</td><td>${usd(r.costUsd)}</td><td class="flags">${badges(r)}</td></tr>`,
    )
    .join('\n');
  return `<section class="card scroll">
<table>
<thead><tr><th>automation</th><th>tier</th><th>owner</th><th>runs</th><th>error</th><th>override</th><th>low conf.</th><th>backlog</th><th>median</th><th>cost</th><th class="flags">flags</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>`;
}

function badges(r: DashboardRow): string {
  if (!r.flags.length) return '<span class="badge ok">ok</span>';
  return r.flags.map((f) => `<span class="badge ${f === 'review_overdue' || f === 'eval_failing' ? 'bad' : 'warn'}">${esc(DASHBOARD_FLAG_WORDS[f])}</span>`).join('');
}

function section(r: DashboardRow, i: number, d: Dashboard): string {
  const flags = r.flags.length ? `<ul class="flags">${r.flags.map((f, k) => `<li><strong>${esc(DASHBOARD_FLAG_WORDS[f])}</strong>: ${esc(r.flagDetails[k])}</li>`).join('')}</ul>` : '';
  const evalText = r.lastEval
    ? `<b>${esc(r.lastEval.suite)}</b> ${r.lastEval.passed ? 'passed' : 'failed'}${r.lastEval.passRate === null ? '' : ` (${pct(r.lastEval.passRate, 0)})`} on ${esc(day(r.lastEval.at))}`
    : 'none';
  const cal = r.calibration
    ? `ECE <b>${r.calibration.ece?.toFixed(3) ?? '–'}</b> over ${count(r.calibration.graded)} graded runs; ${r.calibration.threshold === null ? 'no threshold meets 95% precision yet' : `the threshold for 95% precision is <b>${r.calibration.threshold.toFixed(2)}</b>`}`
    : 'too few graded runs';
  const tiles: [string, string][] = [
    [count(r.runs), 'runs started'],
    [pct(r.errorRate), 'error rate'],
    [pct(r.overrideRate), 'override rate'],
    [pct(r.lowConfidenceRate), 'low-confidence rate'],
    [conf(r.medianConfidence), 'median confidence'],
    [usd(r.costUsd), 'cost'],
  ];
  return `<section class="card automation" id="a${i}" data-automation="${esc(r.id)}">
<div class="head"><h2>${esc(r.name)}</h2><span class="id">${esc(r.id)}</span><span class="badge tier">tier ${r.tier}</span><span class="sub">${esc(r.owner)}</span>${badges(r)}</div>
${flags}
<div class="tiles">${tiles.map(([v, l]) => `<div class="tile"><b>${v}</b><span>${l}</span></div>`).join('')}</div>
<p class="meta">Last eval: ${evalText} · Calibration: ${cal}</p>
<div class="charts">
<div><h3>Confidence of finished runs</h3>${histogram(r.confidenceHistogram)}</div>
<div><h3>Weekly error and override rates</h3>${weekly(r.weekly)}<div class="legend"><span class="swatch" style="background:var(--red)"></span>error<span class="swatch" style="background:var(--amber)"></span>override</div></div>
<div><h3>Review backlog</h3>${backlog(r, d)}</div>
</div>
</section>`;
}

const W = 320;
const H = 130;
const PAD = { left: 30, right: 6, top: 8, bottom: 22 };

function histogram(bins: readonly number[]): string {
  const max = Math.max(1, ...bins);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bw = plotW / bins.length;
  const bars = bins
    .map((n, i) => {
      const h = (n / max) * plotH;
      const x = PAD.left + i * bw + 1;
      return `<rect class="bar" x="${x.toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="var(--blue)" rx="1"><title>${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}: ${count(n)} runs</title></rect>`;
    })
    .join('');
  const labels = [0, 0.2, 0.4, 0.6, 0.8, 1].map((v) => `<text x="${(PAD.left + v * plotW).toFixed(1)}" y="${H - 6}" text-anchor="middle">${v.toFixed(1)}</text>`).join('');
  return `<svg class="histogram" viewBox="0 0 ${W} ${H}" role="img" aria-label="confidence histogram">${axes(plotW, plotH, count(max))}${bars}${labels}</svg>`;
}

function weekly(weeks: readonly WeekFigures[]): string {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const max = Math.max(0.05, ...weeks.flatMap((w) => [w.errorRate ?? 0, w.overrideRate ?? 0]));
  const gw = plotW / Math.max(1, weeks.length);
  const bw = Math.min(18, (gw - 6) / 2);
  const bars = weeks
    .map((w, i) => {
      const x0 = PAD.left + i * gw + (gw - 2 * bw) / 2;
      const bar = (rate: number | null, k: number, color: string, what: string) => {
        const h = ((rate ?? 0) / max) * plotH;
        return `<rect class="rate" x="${(x0 + k * bw).toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${color}" rx="1"><title>${esc(w.week)} ${what}: ${rate === null ? 'no runs' : pct(rate)} (${count(w.runs)} runs)</title></rect>`;
      };
      const label = `<text x="${(PAD.left + i * gw + gw / 2).toFixed(1)}" y="${H - 6}" text-anchor="middle">${esc(w.week.slice(5))}</text>`;
      return bar(w.errorRate, 0, 'var(--red)', 'error rate') + bar(w.overrideRate, 1, 'var(--amber)', 'override rate') + label;
    })
    .join('');
  return `<svg class="weekly" viewBox="0 0 ${W} ${H}" role="img" aria-label="weekly error and override rates">${axes(plotW, plotH, pct(max, 0))}${bars}</svg>`;
}

function backlog(r: DashboardRow, d: Dashboard): string {
  const b = r.reviewBacklog;
  if (!b.count) return '<p class="none">Nothing waits for review.</p>';
  const ages: [string, number][] = [
    ['under a day', b.ages.underDay],
    ['1 to 7 days', b.ages.underWeek],
    ['7 to 31 days', b.ages.underMonth],
    ['over 31 days', b.ages.older],
  ];
  const max = Math.max(1, ...ages.map(([, n]) => n));
  const rowH = 22;
  const bars = ages
    .map(([label, n], i) => {
      const y = PAD.top + i * rowH;
      const w = (n / max) * (W - 150);
      return `<text x="0" y="${y + 13}">${label}</text><rect class="age" x="80" y="${y + 3}" width="${w.toFixed(1)}" height="14" fill="${i >= 2 ? 'var(--red)' : 'var(--blue)'}" rx="1"><title>${label}: ${count(n)}</title></rect><text x="${(86 + w).toFixed(1)}" y="${y + 14}">${count(n)}</text>`;
    })
    .join('');
  const oldest = b.oldestAt ? `the oldest waiting since ${esc(day(b.oldestAt))} (${Math.floor((Date.parse(d.until) - Date.parse(b.oldestAt)) / 86_400_000)} days)` : '';
  return `<p>${count(b.count)} waiting (${count(b.review)} for review, ${count(b.approval)} for approval); ${oldest}</p><svg class="backlog" viewBox="0 0 ${W} ${PAD.top + 4 * rowH}" role="img" aria-label="review backlog by age">${bars}</svg>`;
}

function axes(plotW: number, plotH: number, top: string): string {
  return `<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${PAD.left + plotW}" y2="${PAD.top + plotH}" stroke="#cbd2d9"/><line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left + plotW}" y2="${PAD.top}" stroke="#eef0f2"/><text x="${PAD.left - 4}" y="${PAD.top + 4}" text-anchor="end">${esc(top)}</text><text x="${PAD.left - 4}" y="${PAD.top + plotH}" text-anchor="end">0</text>`;
}

const conf = (x: number | null) => (x === null ? '–' : x.toFixed(2));
const usd = (x: number) => `$${x.toFixed(2)}`;
const day = (at: string) => at.slice(0, 10);
