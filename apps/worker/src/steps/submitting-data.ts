import { createHash, randomUUID } from 'node:crypto';
import { CLIENT_REQUEST_ID } from '@vidqueue/aimlapi';
import type { GenerationJob, GenerationJobData } from '@vidqueue/core/contract';

/** Job ids used as they are in client request ids: the provider's alphabet, and short enough to add `-<n>-<nonce>`. */
const PLAIN_STEM = /^[A-Za-z0-9._:-]{1,80}$/;

/**
 * The stem of a job's client request ids: its id when that is already valid and short, else what is
 * valid of it (at most 40 characters) and a digest of the whole id, so that two job ids differing only
 * in characters the provider would not keep (`a b`, `a/b`) never share a stem.
 */
export function clientRequestStem(jobId: string): string {
  if (PLAIN_STEM.test(jobId)) return jobId;
  const digest = createHash('sha256').update(jobId).digest('base64url').slice(0, 22);
  const kept = jobId.replace(/[^A-Za-z0-9._:-]/g, '').slice(0, 40);
  return `${kept || 'j'}.${digest}`;
}

/** Which create call of the job a client request id stands for (`<stem>-<n>-<nonce>`, older `<stem>-<n>`); 0 if none. */
export function createAttemptOf(jobId: string, clientRequestId: string | undefined): number {
  const stem = clientRequestStem(jobId);
  if (!clientRequestId?.startsWith(`${stem}-`)) return 0;
  const n = Number(/^(\d+)(?:-[a-z0-9]+)?$/.exec(clientRequestId.slice(stem.length + 1))?.[1]);
  return Number.isSafeInteger(n) ? n : 0;
}

/**
 * Next clientRequestId: `<stem>-<n>-<nonce>`, n counting every create call this job ever made, the
 * nonce (8 random characters) keeping it unique across queues, deployments and producers that reuse job
 * ids (BullMQ's own ids are 1, 2, 3… per queue) under one API key. Always 1 to 128 characters of
 * `[A-Za-z0-9._:-]`: an invalid one would be dropped by the provider without a word (account-endpoints
 * reference), and the unknown-outcome lookup finds the attempt's usage-log row by it.
 */
export function nextClientRequestId(
  jobId: string,
  previous: string | undefined,
  // A UUID's first 8 hex digits are random; randomUUID draws from a cached entropy pool (no syscall per call).
  nonce: string = randomUUID().slice(0, 8),
): string {
  const stem = clientRequestStem(jobId);
  const id = `${stem}-${createAttemptOf(jobId, previous) + 1}-${nonce}`;
  if (!CLIENT_REQUEST_ID.test(id)) throw new Error(`internal: client request id ${id} is not valid`);
  return id;
}

/**
 * The data of the `submitting` step, written (lock-guarded) before a create call goes out: by the
 * run's first script when nothing can hold the create back (`readFlags`), else by `submit`. A spending
 * pause (`budgetPause`) is over once the create goes.
 */
export function submittingData(job: GenerationJob, data: GenerationJobData, now: number): GenerationJobData {
  const clientRequestId = nextClientRequestId(job.id ?? '', data.clientRequestId);
  // No longer waiting for a spending cap, if it was.
  const { budgetPause: _done, ...rest } = data;
  return { ...rest, step: 'submitting', clientRequestId, submitStartedAt: now };
}
