// Small formatting helpers shared by the report renderers.
import type { EvalReport } from '../../core/eval/report.js';

/** What an interrupted report holds, in every format's footer; undefined when the run finished. */
export function interruptedNote(report: EvalReport): string | undefined {
  if (!report.interrupted) return undefined;
  const t = report.totals;
  const n = t.interrupted ?? 0;
  return `interrupted: ${n} case${n === 1 ? '' : 's'} did not finish (in flight or not started) and count as neither passed, failed nor errors; only the ${t.cases} that finished are reported`;
}

export function pct(x: number): string {
  const p = x * 100;
  return `${Math.abs(p - Math.round(p)) < 1e-9 ? Math.round(p) : p.toFixed(1)}%`;
}

export function usd(x: number | null): string {
  if (x === null) return '-';
  return x === 0 ? '$0' : x < 0.01 ? `$${Number(x.toPrecision(2))}` : `$${x.toFixed(2)}`;
}

export function ms(x: number): string {
  return x < 1000 ? `${Math.round(x)}ms` : `${(x / 1000).toFixed(2)}s`;
}

export function tokens(t: { input: number; output: number }): string {
  return String(t.input + t.output);
}
