import type { GenerationJob, GenerationJobData } from '@vidqueue/core/contract';

/** Next clientRequestId: `<jobId>-<n>`, n counting every create call this job ever made. */
export function nextClientRequestId(jobId: string, previous: string | undefined): string {
  const base = jobId.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 100);
  const last = previous?.startsWith(`${base}-`) ? Number(previous.slice(base.length + 1)) : 0;
  return `${base}-${Number.isInteger(last) ? last + 1 : 1}`;
}

/**
 * The data of the `submitting` step, written (lock-guarded) before a create call goes out: by the
 * run's first script when nothing can hold the create back (`readFlags`), else by `submit`.
 */
export function submittingData(job: GenerationJob, data: GenerationJobData, now: number): GenerationJobData {
  const clientRequestId = nextClientRequestId(job.id ?? '', data.clientRequestId);
  return { ...data, step: 'submitting', clientRequestId, submitStartedAt: now };
}
