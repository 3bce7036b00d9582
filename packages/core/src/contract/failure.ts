/**
 * Why a job failed, as a stable code. BullMQ stores one string (`failedReason`); we store
 * `<code>: <message>` there and parse it back for the API.
 */
export const FailureCode = {
  /** The provider reported the generation failed; message is the provider's. */
  GenerationFailed: 'generation_failed',
  /** The provider said the generation completed but gave no video URL: nothing to deliver, yet it may bill. */
  VideoMissing: 'video_missing',
  /** The provider rejected the request (400, other 4xx). */
  Rejected: 'rejected_by_provider',
  /** The generation did not finish before the deadline. */
  DeadlineExceeded: 'deadline_exceeded',
  /** A create call may or may not have created a generation; not resubmitted to avoid paying twice. */
  SubmissionUnknown: 'submission_unknown',
  /** The provider kept answering 404 for the generation id past the grace period (`STATUS_NOT_FOUND_GRACE_MS`). */
  GenerationNotFound: 'generation_not_found',
  /** The provider refused the model for this account (plan or tier); other models keep running. */
  ModelNotAllowed: 'model_not_allowed',
  /** Transient provider errors went on past the retry limit. */
  RetriesExhausted: 'retries_exhausted',
  /** Cancelled by a user. */
  Cancelled: 'cancelled',
  /** The job data could not be understood. */
  InvalidJob: 'invalid_job',
  /** A batch row's retry was accepted but its job could not be queued; retrying again picks it up. */
  RetryNotQueued: 'retry_not_queued',
} as const;
export type FailureCode = (typeof FailureCode)[keyof typeof FailureCode];

const CODES = new Set<string>(Object.values(FailureCode));

export function formatFailure(code: FailureCode, message: string): string {
  return `${code}: ${message}`;
}

export function parseFailure(failedReason: string | undefined): { code: string; message: string } {
  const reason = failedReason ?? '';
  const i = reason.indexOf(': ');
  const head = i > 0 ? reason.slice(0, i) : '';
  if (CODES.has(head)) return { code: head, message: reason.slice(i + 2) };
  return { code: 'internal_error', message: reason || 'unknown failure' };
}
