// What the command files share: the wrapper that runs an action with a client (`Act`, made once by
// `buildProgram`), and the option parsers.
import { InvalidArgumentError } from 'commander';
import type { VidqueueClient } from '@vidqueue/client/http';

/** Runs an action with a client and closes it; the action's number (or 0) is the exit code, a throw is 1. */
export type Act = <A extends unknown[]>(
  fn: (vq: VidqueueClient, ...args: A) => Promise<number | void>,
) => (...args: A) => Promise<void>;

/** Runs an action that needs no client: its number is the exit code, a throw is printed and is 1. */
export type Run = <A extends unknown[]>(fn: (...args: A) => Promise<number>) => (...args: A) => Promise<void>;

/** A mistake in how the command was called, found inside an action: printed, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

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
