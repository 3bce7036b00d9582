/**
 * What one video request may hold (the body of `POST /v1/videos`, the SDK's `enqueue` input, and a
 * batch row's fields): the shapes and the limits, one of each. Every other field is a parameter of
 * the chosen model, a JSON string, number or boolean (null: the model's default); which fields a model
 * takes and their values are checked against the catalogue by the producer's `validateVideoRequest`.
 */
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES, WebhookUrlSchema } from './webhook-target.js';
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

/** A model field in a request: null (or leaving it out) means the model's default. */
const ModelFieldSchema = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'must be a string, a number or a boolean (a field of the model: see GET /v1/models)',
});

export function videoRequestSchema(limits: VideoRequestLimits) {
  return z
    .object({
      prompt: z
        .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
        .max(limits.maxPromptLength)
        .refine((p) => p.trim().length > 0, 'must not be empty')
        .describe('What the video shows'),
      model: z
        .string()
        .min(1, 'must not be blank: leave model out for the default')
        .refine((m) => m.trim().length > 0, 'must not be blank: leave model out for the default')
        .optional()
        .describe(`Model id; default ${limits.defaultModel}. See GET /v1/models`),
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
      webhook_url: WebhookUrlSchema.optional().describe(
        'Where to send this video’s signed events (Standard Webhooks), besides WEBHOOK_URL',
      ),
      webhook_events: z
        .array(z.enum(WEBHOOK_EVENT_TYPES))
        .min(1)
        .optional()
        .describe('Only these events to webhook_url (default: all)'),
    })
    .catchall(ModelFieldSchema)
    .describe(
      "Any other field is a parameter of the model (GET /v1/models lists each model's fields, their values and defaults); a field the model does not take is refused, naming the model's fields",
    );
}
export type VideoRequest = z.infer<ReturnType<typeof videoRequestSchema>>;
