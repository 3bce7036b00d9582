import { randomBytes } from 'node:crypto';

/** A queue prefix no other test uses, so tests never see each other's keys. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}
