import { z } from 'zod';
import { BudgetPauseSchema } from './budget.js';
import { WebhookTargetSchema } from './webhook-target.js';

/**
 * The data of one generation job: the request, and the progress the worker persists as it goes.
 * This is the documented wire format for producers in other languages (see packages/core/README.md):
 * only `input` is required when enqueuing; every progress field starts absent.
 * Never holds the provider key or any other secret.
 */
/** A model field's value: what the provider takes for every field vidqueue offers (see the catalogue). */
export const ParamValueSchema = z.union([z.string(), z.number(), z.boolean()]);
export type ParamValue = z.infer<typeof ParamValueSchema>;

/**
 * The provider request of a job: `model`, `prompt` and the model's parameters, exactly as validated
 * against the catalogue when it was enqueued (any field of the chosen model: `aspect_ratio`, `seed`,
 * `generate_audio`, `cfg_scale`...). Kept whole (never stripped) and sent as it is: the worker adds
 * nothing. Data written before other models existed (`aspect_ratio`, `duration`, `num_inference_steps`
 * only) reads the same.
 */
export const GenerationInputSchema = z
  .object({ model: z.string().min(1), prompt: z.string().min(1) })
  .catchall(ParamValueSchema);
export type GenerationInput = z.infer<typeof GenerationInputSchema>;

export const MetadataSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
export type Metadata = z.infer<typeof MetadataSchema>;

export const JobStep = {
  /** Not yet sent to the provider (or sent and certainly refused, so safe to send again). */
  Pending: 'pending',
  /** A create call may be in flight: its outcome is unknown until `generationId` is persisted. */
  Submitting: 'submitting',
  /**
   * A create's outcome is unknown (no answer, a gateway error, a crash after sending): the attempt is
   * looked up in the provider's usage logs (`reconcile`), never sent again blindly.
   */
  Reconciling: 'reconciling',
  /** The provider accepted it; `generationId` is set; status checks run as delayed re-runs. */
  Checking: 'checking',
} as const;
export type JobStep = (typeof JobStep)[keyof typeof JobStep];

/**
 * The usage-log lookup of one create attempt whose outcome is unknown (step `reconciling`). Times are
 * epoch ms on the worker's clock.
 */
export const ReconcileStateSchema = z.object({
  /** The attempt's X-Client-Request-Id: what its usage-log row carries as `client_request_id`. */
  clientRequestId: z.string(),
  /** When the attempt went out (the lookup window is around it). */
  sentAt: z.number(),
  /** When the outcome became unknown (the answer failed, or a worker found the job in `submitting`). */
  since: z.number(),
  /** Why the outcome is unknown, in one line. */
  reason: z.string(),
  /** Complete passes over the window that did not find the row. */
  lookups: z.number().int().default(0),
  /** Lookups that failed (429, 5xx, no answer, 401/403/404). */
  errors: z.number().int().default(0),
  /** A pass over the window's pages in progress: when it started and the next offset. */
  passStartedAt: z.number().optional(),
  offset: z.number().int().optional(),
  /** The last lookup error, in one line. */
  lastError: z.string().optional(),
  /** When the latest whole pass this lookup counted started (its own, or another job's over the same window). */
  lastPassAt: z.number().optional(),
});
export type ReconcileState = z.infer<typeof ReconcileStateSchema>;

export const GenerationJobDataSchema = z.object({
  input: GenerationInputSchema,
  customId: z.string().optional(),
  metadata: MetadataSchema.optional(),
  batchId: z.string().optional(),
  row: z.number().int().optional(),
  /** The video's own spending cap in USD (`max_cost_usd`): its estimate may not exceed it. */
  maxCostUsd: z.number().positive().optional(),
  /** The catalogue's price of the request when it was enqueued; null: unpriced (never 0 for unknown). */
  estimatedCostUsd: z.number().nullable().optional(),
  /** Set while the job waits for a spending cap instead of being submitted (step `pending`). */
  budgetPause: BudgetPauseSchema.optional(),
  /** Where this video's events go besides WEBHOOK_URL (`webhook_url` of POST /v1/videos). */
  webhook: WebhookTargetSchema.optional(),
  step: z.enum(['pending', 'submitting', 'reconciling', 'checking']).default('pending'),
  /** Sent as X-Client-Request-Id with the create call, to find a lost generation with the provider. */
  clientRequestId: z.string().optional(),
  generationId: z.string().optional(),
  /** Epoch ms when the create call was sent / answered. */
  submitStartedAt: z.number().optional(),
  submittedAt: z.number().optional(),
  /** Epoch ms after which the job fails with `deadline_exceeded`. Set when the create call is answered. */
  deadline: z.number().optional(),
  polls: z.number().int().default(0),
  /** Transient errors so far in the current step (reset when the step changes). */
  retries: z.number().int().default(0),
  /** 429 answers to this job's create calls: not counted in `retries` (the job waits its turn). */
  rateLimited: z.number().int().optional(),
  /**
   * Set when this video may be generated (and billed) twice: a resubmission after an unknown outcome,
   * or a retried batch row whose earlier attempt may have made a billed generation. Never cleared.
   */
  possibleDuplicate: z.boolean().optional(),
  /** A retried batch row: the generations its earlier attempts made or may have made, oldest first. */
  priorGenerationIds: z.array(z.string()).optional(),
  lastStatus: z.string().optional(),
  /** Epoch ms the next status check is scheduled for (to measure how late checks run). */
  nextCheckAt: z.number().optional(),
  /** Epoch ms the last status check started. */
  lastCheckAt: z.number().optional(),
  /** Generation time (ms) the adaptive schedule expected when it placed the first check. */
  expectedMs: z.number().optional(),
  /**
   * What the provider reported this generation costs, from wherever it said so (the create answer,
   * a poll, or its usage-log row): one charge, the latest non-zero figure kept.
   */
  costUsd: z.number().optional(),
  creditsUsed: z.number().optional(),
  /** The usage-log lookup while `step` is `reconciling`. */
  reconcile: ReconcileStateSchema.optional(),
  /** Set when `generationId` was adopted from the provider's usage logs after an unknown outcome. */
  recovered: z.boolean().optional(),
  /** The status of the usage-log row it was adopted from (`succeeded` or `failed`). */
  recoveredFrom: z.string().optional(),
  /** Usage-log lookups made for the cost of a recovered generation once it completed. */
  costLookups: z.number().int().optional(),
});
export type GenerationJobData = z.infer<typeof GenerationJobDataSchema>;
/** What a producer must supply: progress fields are optional. */
export type NewGenerationJobData = z.input<typeof GenerationJobDataSchema>;

/** The job's return value, stored by BullMQ when the video is ready. */
export const GenerationResultSchema = z.object({
  videoUrl: z.string(),
  generationId: z.string(),
  model: z.string(),
  polls: z.number().int(),
  submittedAt: z.number(),
  completedAt: z.number(),
  costUsd: z.number().optional(),
  creditsUsed: z.number().optional(),
  contentType: z.string().optional(),
  fileSize: z.number().optional(),
  possibleDuplicate: z.boolean().optional(),
  /** The generation id came from the provider's usage logs after the create's answer was lost. */
  recovered: z.boolean().optional(),
});
export type GenerationResult = z.infer<typeof GenerationResultSchema>;
