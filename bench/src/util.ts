import { randomBytes } from 'node:crypto';

/** A unique queue prefix for one run. */
export function uniq(tag: string): string {
  return `bench-${tag}-${randomBytes(3).toString('hex')}`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export function secs(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A scenario's size: `--jobs N` when given, else its quick or default size. */
export function size(
  options: { quick: boolean; jobs?: number | undefined },
  quick: number,
  full: number,
): number {
  return options.jobs ?? (options.quick ? quick : full);
}
