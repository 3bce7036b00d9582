/**
 * How much metadata one video or one batch row may carry: the one rule for `POST /v1/videos`, the SDK's
 * `enqueue`, and every row of a batch file (through `@vidqueue/bulk`'s `validateMetadata` hook). It is
 * kept with the job and the batch record for days in a Redis that must never evict, so it is bounded.
 * Job data written before the rule is still read as it is (`MetadataSchema` in job-data.ts is unbounded).
 */
import { MetadataSchema, type Metadata } from './job-data.js';

export const METADATA_LIMITS = Object.freeze({
  /** Most keys in one metadata object (a CSV file: extra columns). */
  maxKeys: 50,
  /** Longest key, in characters (Unicode code points). */
  maxKeyLength: 100,
  /** Longest string value, in characters (Unicode code points). */
  maxValueLength: 1000,
  /** Largest metadata object, in bytes of its UTF-8 JSON. */
  maxBytes: 8192,
});

/** One way metadata breaks the rule: `key` names the entry at fault (absent for the object as a whole). */
export type MetadataIssue = { key?: string; message: string };

/** Issues listed at most for one metadata object (a 10 000-key object is one issue, not 10 000). */
const MAX_ISSUES = 10;

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** A key as it appears in a message or a path: at most 40 characters. */
export function shownKey(key: string): string {
  return key.length > 40 ? `${key.slice(0, 39)}…` : key;
}

/** Every way `metadata` breaks `METADATA_LIMITS` (at most 10), each naming the limit; empty when it fits. */
export function metadataIssues(metadata: Readonly<Record<string, unknown>>): MetadataIssue[] {
  const { maxKeys, maxKeyLength, maxValueLength, maxBytes } = METADATA_LIMITS;
  const keys = Object.keys(metadata);
  if (keys.length > maxKeys) {
    return [{ message: `metadata has ${keys.length} keys; the limit is ${maxKeys}` }];
  }
  const issues: MetadataIssue[] = [];
  for (const key of keys) {
    if (issues.length >= MAX_ISSUES) return issues;
    if (key === '__proto__') {
      // A JSON body refuses it, and an object read back from storage drops it: it could never round-trip.
      issues.push({ key, message: 'metadata key "__proto__" is reserved; name the column or key otherwise' });
      continue;
    }
    const keyLength = codePoints(key);
    if (keyLength > maxKeyLength) {
      issues.push({
        key,
        message: `metadata key ${JSON.stringify(shownKey(key))} is ${keyLength} characters long; the limit is ${maxKeyLength}`,
      });
      continue;
    }
    const value = metadata[key];
    if (typeof value === 'string' && value.length > maxValueLength) {
      const valueLength = codePoints(value);
      if (valueLength > maxValueLength) {
        issues.push({
          key,
          message: `metadata value of ${JSON.stringify(shownKey(key))} is ${valueLength} characters long; the limit is ${maxValueLength}`,
        });
      }
    }
  }
  if (issues.length > 0) return issues;
  const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  if (bytes > maxBytes) {
    issues.push({ message: `metadata is ${bytes} bytes as JSON; the limit is ${maxBytes}` });
  }
  return issues;
}

/** Metadata of a new request: flat key/value pairs within `METADATA_LIMITS`. */
export const RequestMetadataSchema = MetadataSchema.superRefine((metadata: Metadata, ctx) => {
  for (const issue of metadataIssues(metadata)) {
    ctx.addIssue({
      code: 'custom',
      message: issue.message,
      path: issue.key === undefined ? [] : [shownKey(issue.key)],
    });
  }
});
