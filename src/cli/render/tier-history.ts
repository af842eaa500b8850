// What `promote --history` and `log show` print of tier changes: each change
// with who, why and where it stands against aigov.lock, then its gates as the
// table promote printed when it was made.
import type { ShownEvent } from '../../app/log-show.js';
import type { TierHistory } from '../../app/tier-history.js';
import type { LedgerEntry, LedgerStatus, TierChangeRecord } from '../../core/tiers/history.js';
import { paint, type Output } from '../output.js';
import { renderGates } from './gates.js';
import { terminalSafe } from './terminal-safe.js';

const STATUS: Record<LedgerStatus, string> = {
  'in-effect': 'in effect: aigov.lock names this event',
  superseded: 'superseded: aigov.lock names a later change',
  'not-in-effect': 'not in effect: no aigov.lock entry names this event',
};

/** One change; `inEvent`: under the event's own heading (log show), which gives its seq, time and hash already. */
export function renderTierChange(o: Output, c: TierChangeRecord, opts: { inEvent?: boolean } = {}): string {
  const tiers = `tier ${c.from ?? '?'} -> ${c.to ?? '?'}`;
  const status = c.status === 'in-effect' ? paint(o, 'green', STATUS[c.status]) : paint(o, 'yellow', STATUS[c.status]);
  const lines = [terminalSafe(`${opts.inEvent ? '' : `#${c.seq} ${c.at} `}${c.automation ?? '?'}: ${tiers} by ${c.by ?? 'unknown'}`) + `; ${status}`];
  lines.push(terminalSafe(`  reason: ${c.reason ?? 'none given'}`));
  if (c.forced) lines.push(terminalSafe(`  forced${c.failing.length ? ` past failing gates: ${c.failing.join(', ')}` : ', skipping a tier'}`));
  if (c.identity) lines.push(terminalSafe(`  recorded beside it: OS login ${c.identity.osUser ?? 'unknown'}, host ${c.identity.host ?? 'unknown'}, git user.email ${c.identity.gitEmail ?? 'none'}`));
  if (!opts.inEvent) lines.push(`  hash ${c.hash}`);
  lines.push(c.gates.length ? renderGates(c.gates, o) : '  no gates recorded with it');
  return lines.join('\n');
}

export function renderTierHistory(o: Output, h: TierHistory): void {
  const count = h.changes.length;
  o.out(terminalSafe(`${h.automation}: ${ledgerLine(h.ledger)}; ${count ? `${count} tier change${count === 1 ? '' : 's'} in the run log, oldest first` : 'no tier change in the run log'}`));
  for (const c of h.changes) o.out(`\n${renderTierChange(o, c)}`);
  if (h.lockEventMissing) o.err(terminalSafe(`${paint(o, 'yellow', 'warning')} aigov.lock names event ${h.lockEventMissing} for ${h.automation}, which this run log does not hold (a log other than the one it was written to, or one rebuilt)`));
}

function ledgerLine(l: LedgerEntry | null): string {
  if (!l) return 'no entry in aigov.lock';
  return `tier ${l.tier} in aigov.lock since ${l.since} by ${l.by}${l.event ? `, event ${l.event}` : ' (entered by aigov pin, no event)'}`;
}

export function renderShownEvent(o: Output, s: ShownEvent): void {
  const e = s.event;
  const where = [e.automation !== null && `automation ${e.automation}`, e.runId !== null && `run ${e.runId}`, e.actor !== null && `actor ${e.actor}`].filter(Boolean).join(', ');
  const chain = s.chain.ok
    ? `chain: ok (its hash recomputed from its fields${e.seq > 1 ? `, its prevHash that of #${e.seq - 1}` : ', the first event'}; \`aigov log verify\` checks the whole log)`
    : `chain: ${paint(o, 'red', 'BROKEN')} ${s.chain.reason} (\`aigov log verify\` names the first bad event)`;
  const head = [terminalSafe(`#${e.seq} ${e.type} at ${e.at}${where ? `, ${where}` : ''}`), `  id ${terminalSafe(e.id)}`, `  hash ${e.hash}`, `  prevHash ${e.prevHash}`, `  ${chain}`];
  // JSON escapes C0 controls but not C1 or bidi overrides, and the data holds model output.
  const body = s.tierChange ? renderTierChange(o, s.tierChange, { inEvent: true }) : terminalSafe(JSON.stringify(e.data, null, 2));
  o.out(`${head.join('\n')}\n\n${body}`);
}
