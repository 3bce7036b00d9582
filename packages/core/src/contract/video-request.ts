/**
 * What one video request may hold (the body of `POST /v1/videos`, the SDK's `enqueue` input, and a
 * batch row's fields): the shapes and the limits, one of each. Per-model parameter values (aspect
 * ratios, durations…) are checked against the model table by the producer's `validateVideoRequest`.
 */
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from './webhook-target.js';
import { METADATA_LIMITS, RequestMetadataSchema } from './metadata-limits.js';

/**
 * Longest `custom_id`, for a single video and for a batch row alike: 256, what batch files have always
 * allowed (`vidq download` names files after it and shortens what a file system cannot hold).
 */
export const CUSTOM_ID_MAX_LENGTH = 256;

export type VideoRequestLimits = {
  /** Model for a request that names none (DEFAULT_MODEL). */
  defaultModel: string;
  /** Longest prompt, in characters (MAX_PROMPT_LENGTH). */
  maxPromptLength: number;
};

export function videoRequestSchema(limits: VideoRequestLimits) {
  return z.strictObject({
    prompt: z
      .string()
      .max(limits.maxPromptLength)
      .refine((p) => p.trim().length > 0, 'must not be empty')
      .describe('What the video shows'),
    model: z
      .string()
      .min(1)
      .optional()
      .describe(`Model id; default ${limits.defaultModel}. See GET /v1/models`),
    aspect_ratio: z.string().optional().describe('For Kandinsky 5: 3:2, 1:1 or 2:3'),
    duration: z.number().int().optional().describe('Seconds of video; for Kandinsky 5: 5 or 10'),
    num_inference_steps: z
      .number()
      .int()
      .optional()
      .describe('Sampling steps (no published range: passed through; the provider judges it)'),
    custom_id: z
      .string()
      .min(1)
      .max(CUSTOM_ID_MAX_LENGTH)
      .optional()
      .describe('Your own reference, returned as is'),
    metadata: RequestMetadataSchema.optional().describe(
      `Flat key/value pairs, returned as is: at most ${METADATA_LIMITS.maxKeys} keys of at most ${METADATA_LIMITS.maxKeyLength} characters, string values of at most ${METADATA_LIMITS.maxValueLength} characters, ${METADATA_LIMITS.maxBytes} bytes as JSON in all`,
    ),
    max_cost_usd: z
      .number()
      .positive()
      .optional()
      .describe(
        "The video's own spending cap in USD: refused (422) when its estimate is over it or unknown; a price rise before submission pauses it instead",
      ),
    webhook_url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional()
      .describe('Where to send this video’s signed events (Standard Webhooks), besides WEBHOOK_URL'),
    webhook_events: z
      .array(z.enum(WEBHOOK_EVENT_TYPES))
      .min(1)
      .optional()
      .describe('Only these events to webhook_url (default: all)'),
  });
}
export type VideoRequest = z.infer<ReturnType<typeof videoRequestSchema>>;
