import type { HeaderReader } from './types.js';
import { clip } from './redact.js';
import type { Generation, GenerationPhase } from './types.js';

/**
 * Provider status spellings that mean "still working" (compared lower-cased, `-`/space as `_`).
 * `queued`, `generating`: the reference's current generation object; `waiting`, `active`, `processing`:
 * its older examples (and the stand-in written from the docs); `pending`, `in_progress`, `starting`,
 * `running`: spellings of other video APIs the provider fronts, kept so they are not even logged.
 */
export const PENDING_STATUSES: ReadonlySet<string> = new Set([
  'queued',
  'generating',
  'waiting',
  'active',
  'processing',
  'pending',
  'in_progress',
  'starting',
  'running',
]);

/** Spellings that mean success (the reference: `completed`, "some models say `succeeded`"); success also requires `video.url`. */
export const SUCCESS_STATUSES: ReadonlySet<string> = new Set(['completed', 'succeeded']);

/**
 * Spellings known to mean the generation ended without a video: terminal failures.
 * `error`, `failed`, `cancelled`, `expired`: the reference's list of terminal failures; `canceled`
 * (American spelling of the same); `rejected`, `failure`, `errored`, `aborted`, `timeout`, `timed_out`:
 * named by the issue "Fit the real AI/ML API" or the same words as other video APIs write them.
 */
export const FAILURE_STATUSES: ReadonlySet<string> = new Set([
  'error',
  'errored',
  'failed',
  'failure',
  'cancelled',
  'canceled',
  'expired',
  'rejected',
  'aborted',
  'timeout',
  'timed_out',
]);

function statusKey(status: string): string {
  return status
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/**
 * The phase a status spelling stands for: pending, completed, or failed for a known failure spelling.
 * A spelling we have never seen is **pending**, not failed: the reference calls unknown terminal
 * spellings failures, but the issue "Fit the real AI/ML API" overrides that for spellings we do not
 * know (the provider adds statuses; failing a paid, still-running generation on a new word loses it).
 * The caller keeps checking until its deadline and can tell such answers by `isKnownStatus`.
 * `normalizeGeneration` goes further with the whole answer: an unknown spelling that comes with an
 * `error` message is a failure (a generation still running has no error to report).
 */
export function phaseOf(status: string): GenerationPhase {
  const key = statusKey(status);
  if (SUCCESS_STATUSES.has(key)) return 'completed';
  if (FAILURE_STATUSES.has(key)) return 'failed';
  return 'pending';
}

/** Whether the spelling is one we know (pending, success or failure). */
export function isKnownStatus(status: string): boolean {
  const key = statusKey(status);
  return PENDING_STATUSES.has(key) || SUCCESS_STATUSES.has(key) || FAILURE_STATUSES.has(key);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** A finite, non-negative number from a number or a numeric string; anything else is ignored. */
export function readNumber(value: unknown): number | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && value.trim() !== '') n = Number(value.trim());
  else return undefined;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The message inside a generation's `error`: `{ name, message }`, a string, or `{ detail: [{ msg }] }`. */
export function generationErrorMessage(error: unknown): string | undefined {
  if (typeof error === 'string') return nonEmptyString(error);
  if (Array.isArray(error)) {
    const parts = error.map(generationErrorMessage).filter((m): m is string => m !== undefined);
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  if (!isRecord(error)) return undefined;
  return (
    nonEmptyString(error.message) ??
    nonEmptyString(error.msg) ??
    generationErrorMessage(error.detail) ??
    generationErrorMessage(error.error) ??
    nonEmptyString(error.name)
  );
}

function usage(
  body: Record<string, unknown>,
  headers?: HeaderReader,
): { creditsUsed?: number; usdSpent?: number } {
  const meta = isRecord(body.meta) ? body.meta : {};
  const u = isRecord(meta.usage) ? meta.usage : {};
  const creditsUsed =
    readNumber(u.credits_used) ??
    readNumber(u.tokens_used) ??
    readNumber(headers?.get('x-aimlapi-credits-used'));
  const usdSpent = readNumber(u.usd_spent) ?? readNumber(headers?.get('x-aimlapi-usd-spent'));
  return {
    ...(creditsUsed !== undefined && { creditsUsed }),
    ...(usdSpent !== undefined && { usdSpent }),
  };
}

function video(body: Record<string, unknown>): Record<string, unknown> {
  // Documented as an object; tolerate a one-element list too.
  const v = Array.isArray(body.video) ? (body.video as unknown[])[0] : body.video;
  return isRecord(v) ? v : {};
}

/**
 * Turns a provider generation object into a Generation, or undefined when it lacks the two guaranteed
 * fields (`id` or older `generation_id`, and `status`). Every other field may be missing or null.
 */
export function normalizeGeneration(body: unknown, headers?: HeaderReader): Generation | undefined {
  if (!isRecord(body)) return undefined;
  const id = nonEmptyString(body.id) ?? nonEmptyString(body.generation_id);
  const status = nonEmptyString(body.status);
  if (id === undefined || status === undefined) return undefined;

  const v = video(body);
  const videoUrl = nonEmptyString(v.url);
  const contentType = nonEmptyString(v.content_type);
  const fileName = nonEmptyString(v.file_name);
  const fileSize = readNumber(v.file_size);
  let phase = phaseOf(status);
  let error: string | undefined;
  // A spelling we do not know stays pending (see phaseOf) unless the answer carries an error message:
  // then it is what the reference calls an unknown terminal status, a failure with the provider's message.
  const known = isKnownStatus(status);
  if (!known && generationErrorMessage(body.error) !== undefined) phase = 'failed';
  const videoMissing = phase === 'completed' && videoUrl === undefined;
  if (videoMissing) {
    phase = 'failed';
    error = `the provider reported status "${status}" but gave no video URL`;
  } else if (phase === 'failed') {
    const message = generationErrorMessage(body.error) ?? nonEmptyString(body.message);
    error =
      message !== undefined ? clip(message) : `the provider reported status "${status}" without a message`;
  }

  return {
    id,
    phase,
    status,
    ...(!known && { unknownStatus: true as const }),
    ...(videoMissing && { videoMissing: true as const }),
    ...(videoUrl !== undefined && { videoUrl }),
    ...(contentType !== undefined && { contentType }),
    ...(fileName !== undefined && { fileName }),
    ...(fileSize !== undefined && { fileSize }),
    ...(error !== undefined && { error }),
    ...usage(body, headers),
  };
}
