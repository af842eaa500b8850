// Tables of runs and traces.
import Table from 'cli-table3';
import type { RunRow, TraceRow } from '../../app/runs.js';
import type { LoggedEvent } from '../../core/log/events.js';
import type { Output } from '../output.js';
import { ms, usd } from './format.js';
import { terminalSafe } from './terminal-safe.js';

const conf = (c: number | null): string => (c === null ? '-' : c.toFixed(2));
const ACTION: Record<string, string> = { taken: 'acted', failed: 'action failed', in_doubt: 'ACTION IN DOUBT', reverted: 'reverted' };
// An action that started and never ended may have happened: say so wherever the run shows.
const state = (r: RunRow): string => {
  const run = r.status === 'finished' ? `${r.disposition}${r.decision ? ` -> ${r.decision}` : ''}` : r.status;
  return r.actionState ? `${run}, ${ACTION[r.actionState] ?? r.actionState}` : run;
};

/** One line above a run's events: where it stands, and a warning when its action or a revert is in doubt. */
export function describeRun(r: RunRow, opts: { revertInDoubt?: boolean } = {}): string {
  const lines = [`run ${r.runId} (${r.automation ?? '?'}): ${state(r)}`];
  if (r.actionState === 'in_doubt') lines.push(`  its action started and has not recorded its end: it may have touched ${r.impacts.join(', ') || 'its downstream systems'}`);
  if (opts.revertInDoubt) lines.push('  a revert started and has not recorded its result: the reversal command may have run');
  return terminalSafe(lines.join('\n'));
}

function table(o: Output, head: string[]): Table.Table {
  return new Table({ head, style: { head: o.color ? ['bold'] : [], border: o.color ? ['grey'] : [] } });
}

/** Run log rows carry what callers and providers wrote (refs, systems, model ids): untrusted text. */
function safeRow(cells: string[]): string[] {
  return cells.map(terminalSafe);
}

export function renderRuns(rows: readonly RunRow[], o: Output): string {
  if (!rows.length) return 'no runs';
  const t = table(o, ['run', 'automation', 'started', 'state', 'prompt', 'model', 'confidence', 'cost', 'duration']);
  for (const r of rows) t.push(safeRow([r.runId, r.automation ?? '', r.startedAt, state(r), r.promptVersion === null ? '-' : `v${r.promptVersion}`, r.model ?? '-', conf(r.confidence), usd(r.costUsd), r.durationMs === null ? '-' : ms(r.durationMs)]));
  return t.toString();
}

export function renderTrace(rows: readonly TraceRow[], o: Output): string {
  if (!rows.length) return 'no runs touched it';
  const t = table(o, ['at', 'system', 'ref', 'action', 'run', 'automation', 'prompt', 'model', 'state']);
  for (const r of rows) t.push(safeRow([r.at, r.system, r.ref ?? '', `${r.action ?? ''}${r.inDoubt ? ' (in doubt)' : ''}`, r.runId, r.automation ?? '', r.promptVersion === null ? '-' : `v${r.promptVersion}`, r.model ?? '-', state(r)]));
  return t.toString();
}

export function renderEvents(events: readonly LoggedEvent[]): string {
  // JSON escapes C0 controls but not C1 or bidi overrides, and the data holds model output.
  return events.map((e) => terminalSafe(`#${e.seq} ${e.at} ${e.type}${e.actor ? ` by ${e.actor}` : ''}\n  ${JSON.stringify(e.data)}`)).join('\n');
}
