// Small formatting helpers shared by the report renderers.

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
