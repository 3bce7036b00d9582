import { z } from 'zod';

/** The error body of every route, for the OpenAPI document (the root error handler writes it). */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

/**
 * The error body whose details are not field issues: row errors or a file's fatal problem (the batch
 * routes), or the figures of a refusal about money (402 INSUFFICIENT_BALANCE, 422 MAX_COST_EXCEEDED…).
 */
export const BatchErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .meta({ id: 'BatchError' });
