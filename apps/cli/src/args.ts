import { InvalidArgumentError } from 'commander';

/** A whole number above 0 (`--concurrency 4`). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** A USD amount above 0 (`--max-cost 25`, `set-cap ID 12.5`). */
export function positiveUsd(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || !(n > 0)) {
    throw new InvalidArgumentError('must be a USD amount above 0');
  }
  return n;
}
