import { InvalidArgumentError } from 'commander';

/**
 * A whole number written in decimal digits: `Number()` alone would take "1e9",
 * "0x10" and " 5", and a limit written as an exponent is how `--repeat 1e9` got
 * past the check once.
 */
export function positiveInt(value: string, opts: { allowZero?: boolean; max?: number } | boolean = {}): number {
  const { allowZero = false, max } = typeof opts === 'boolean' ? { allowZero: opts } : opts;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  const range = `${allowZero ? '' : ' above 0'}${max === undefined ? '' : `, at most ${max}`}`;
  if (!Number.isSafeInteger(n) || n < (allowZero ? 0 : 1) || (max !== undefined && n > max)) throw new InvalidArgumentError(`expected a whole number${range}, got "${value}"`);
  return n;
}
