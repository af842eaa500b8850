import { InvalidArgumentError } from 'commander';

export function positiveInt(value: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new InvalidArgumentError(`expected a whole number${allowZero ? '' : ' above 0'}, got "${value}"`);
  return n;
}
