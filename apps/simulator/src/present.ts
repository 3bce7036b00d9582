import { progressAt, statusAt, type StoredGeneration } from './generations.js';

export type PresentOptions = {
  legacy: boolean;
  /** Base URL of the video files, without a trailing slash. */
  baseUrl: string;
  fileSize: number;
  /** The status word to show (see statuses.ts); default: the canonical or legacy spelling. */
  status?: string;
  /** Put the charge in `meta.usage` (a completed generation's, or a create answer's quote). */
  reportUsage: boolean;
};

export const GENERATION_FAILURE = {
  name: 'GenerationError',
  message: 'The model failed to generate the video (simulated failure). The generation was not billed.',
} as const;

export function videoFileName(generation: StoredGeneration): string {
  return `${generation.fileKey}_output.mp4`;
}

/** The status spelling a client sees. Legacy: waiting, active then processing, succeeded, failed. */
export function statusWord(generation: StoredGeneration, now: number, legacy: boolean): string {
  const status = statusAt(generation, now);
  if (!legacy) return status;
  switch (status) {
    case 'queued':
      return 'waiting';
    case 'generating':
      return progressAt(generation, now) < 0.5 ? 'active' : 'processing';
    case 'completed':
      return 'succeeded';
    case 'error':
      return 'failed';
  }
}

/** `meta` carrying the charge; legacy answers say `tokens_used`. */
export function usageMeta(generation: StoredGeneration, legacy: boolean): Record<string, unknown> {
  return {
    usage: legacy
      ? { tokens_used: generation.creditsUsed }
      : { credits_used: generation.creditsUsed, usd_spent: generation.usdSpent },
  };
}

/**
 * The generation object as the provider answers it: `{ id, status, video, error, meta }`.
 * Legacy answers say `generation_id`, report usage as `tokens_used` and give the error as a string.
 * A failed generation never carries usage (it is not billed); a pending one only when `reportUsage`
 * is set for a create answer (the provider quotes the charge there before knowing the outcome).
 */
export function presentGeneration(
  generation: StoredGeneration,
  now: number,
  options: PresentOptions,
): Record<string, unknown> {
  const status = statusAt(generation, now);
  const word = options.status ?? statusWord(generation, now, options.legacy);
  const idField = options.legacy ? { generation_id: generation.id } : { id: generation.id };
  if (status === 'completed' && generation.withoutVideo) {
    const meta = options.reportUsage ? usageMeta(generation, options.legacy) : null;
    return { ...idField, status: word, video: null, error: null, meta };
  }
  if (status === 'completed') {
    const fileName = videoFileName(generation);
    return {
      ...idField,
      status: word,
      video: {
        url: `${options.baseUrl}/files/${fileName}`,
        content_type: 'video/mp4',
        file_name: fileName,
        file_size: options.fileSize,
      },
      error: null,
      meta: options.reportUsage ? usageMeta(generation, options.legacy) : null,
    };
  }
  if (status === 'error') {
    return {
      ...idField,
      status: word,
      video: null,
      error: options.legacy ? GENERATION_FAILURE.message : { ...GENERATION_FAILURE },
      meta: null,
    };
  }
  const meta = options.reportUsage ? usageMeta(generation, options.legacy) : null;
  return { ...idField, status: word, video: null, error: null, meta };
}
