// The promotion gates as a table: what each requires, what was found, whether it holds.
import Table from 'cli-table3';
import type { Gate } from '../../core/tiers/gates.js';
import { paint, type Output } from '../output.js';
import { terminalSafe } from './terminal-safe.js';

const RATES = new Set(['errorRate', 'overrideRate', 'lowConfidenceRate']);

/** Rates to two decimals of a percent, so 2.04% is not shown as a passing 2%. */
const percent = (x: number): string => `${Number((x * 100).toFixed(2))}%`;
const days = (x: number): string => {
  if (x >= 1) return `${Number(x.toFixed(1))} day${x === 1 ? '' : 's'}`;
  const hours = x * 24;
  if (hours >= 1) return `${Number(hours.toFixed(1))} h`;
  return `${Math.max(1, Math.round(hours * 60))} min`;
};

export function gateRequired(g: Gate): string {
  if (typeof g.required === 'string') return g.required;
  if (g.name === 'runs') return `at least ${g.required} finished`;
  if (g.name === 'reviewBacklog') return `nothing waiting over ${days(g.required)}`;
  if (RATES.has(g.name)) return `at most ${percent(g.required)}`;
  return String(g.required);
}

export function gateActual(g: Gate): string {
  if (g.actual === null) return 'no runs to measure';
  if (typeof g.actual === 'string') return g.actual;
  if (g.name === 'runs') return String(g.actual);
  if (g.name === 'reviewBacklog') return g.actual === 0 ? 'nothing waiting' : `oldest waiting ${days(g.actual)}`;
  if (RATES.has(g.name)) return percent(g.actual);
  return String(g.actual);
}

export function renderGates(gates: readonly Gate[], o: Output): string {
  const t = new Table({
    head: ['gate', 'required', 'actual', ''],
    colWidths: [null, 38, 46, null],
    wordWrap: true,
    style: { head: o.color ? ['bold'] : [], border: o.color ? ['grey'] : [] },
  });
  // Actual values quote workspace files and the run log: untrusted text.
  for (const g of gates) t.push([g.name, terminalSafe(gateRequired(g)), terminalSafe(gateActual(g)), g.pass ? paint(o, 'green', 'pass') : paint(o, 'red', 'FAIL')]);
  return t.toString();
}
