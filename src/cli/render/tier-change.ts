// What promote and demote print: the gates as a table on stdout (or the result
// as JSON), and one line on stderr saying what was done.
import type { TierResult } from '../../app/promote.js';
import { paint, type Output } from '../output.js';
import { renderGates } from './gates.js';
import { terminalSafe } from './terminal-safe.js';

export function promoteJson(r: TierResult): string {
  return JSON.stringify({ automation: r.automation, from: r.from, to: r.to, promoted: r.promoted, dryRun: r.dryRun, forced: r.forced, since: r.since, event: r.event, written: r.written, gates: r.gates }, null, 2);
}

export function demoteJson(r: TierResult, reason: string): string {
  return JSON.stringify({ automation: r.automation, from: r.from, to: r.to, demoted: true, reason, since: r.since, event: r.event, written: r.written, gates: r.gates }, null, 2);
}

export function renderPromotion(o: Output, r: TierResult): void {
  const failing = r.gates.filter((x) => !x.pass).map((x) => x.name);
  const failed = `${failing.length} gate${failing.length === 1 ? '' : 's'} failed: ${failing.join(', ')}`;
  // Quiet still shows the gates when one failed: an exit code alone sends people digging.
  if (!o.quiet || failing.length) o.out(`${heading(r, 'promote')}\n${renderGates(r.gates, o)}`);
  if (r.promoted) {
    if (!o.quiet) o.err(`${paint(o, 'green', 'promoted')} ${r.automation} to tier ${r.to}${r.forced ? ` (forced${failing.length ? `: ${failed}` : ', skipping a tier'})` : ''}: logged tier_changed #${r.event!.seq}; wrote ${r.written.join(' and ')}`);
  } else if (r.dryRun) {
    if (!o.quiet) {
      o.err(
        r.passed && !r.forced
          ? `dry run: ${r.automation} would be promoted to tier ${r.to}; nothing written`
          : r.forced
            ? `dry run: ${r.automation} would be forced to tier ${r.to}${failing.length ? ` (${failed})` : ''}; nothing written`
            : `dry run: ${r.automation} would not be promoted, ${failed}; nothing written`,
      );
    }
  } else o.err(`${paint(o, 'red', 'refused')} ${r.automation} stays at tier ${r.from}: ${failed}; nothing written`);
}

export function renderDemotion(o: Output, r: TierResult): void {
  if (!o.quiet) {
    o.out(`${heading(r, 'demote')} (the gates of tier ${r.from} as they stand, recorded as evidence; they do not stop a demotion)\n${renderGates(r.gates, o)}`);
    o.err(`${paint(o, 'yellow', 'demoted')} ${r.automation} to tier ${r.to}: logged tier_changed #${r.event!.seq}; wrote ${r.written.join(' and ')}`);
  }
}

function heading(r: TierResult, verb: 'promote' | 'demote'): string {
  return terminalSafe(`${verb} ${r.automation}: tier ${r.from} -> ${r.to}, evidence from runs since ${r.since ?? 'the first run (no ledger entry)'}`);
}
