// Numbers as the report and the dashboard say them in words. Pure.

/** 0.0453 -> "4.5%"; null -> "–". */
export function pct(x: number | null, digits = 1): string {
  if (x === null) return '–';
  return `${Number((x * 100).toFixed(digits))}%`;
}

/** A p-value with two significant digits: 0.0012697 -> "0.0013", 3.14e-9 -> "3.1e-9". */
export function pValueText(p: number): string {
  if (p === 0) return '0';
  if (p < 0.0001) return p.toExponential(1);
  return Number(p.toPrecision(2)).toString();
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}
