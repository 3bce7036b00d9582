import { z } from 'zod';
import { FAULT_NAMES, SERVER_ERROR_STATUSES, type FaultName } from './config.js';

const faultRatesSchema = z
  .object(
    Object.fromEntries(FAULT_NAMES.map((name) => [name, z.number().min(0).max(1)])) as Record<
      FaultName,
      z.ZodNumber
    >,
  )
  .partial()
  .strict();

/** The options as JSON (for `POST /sim/config`): the same fields as SimulatorOptions, checked. */
export const SimulatorOptionsSchema = z
  .object({
    apiKeys: z.array(z.string().min(1)),
    generationMs: z.union([
      z.number().int().min(0),
      z.string(),
      z.object({ min: z.number().int().min(0), max: z.number().int().min(0) }),
    ]),
    scaleByDuration: z.boolean(),
    queuedFraction: z.number().min(0).max(1),
    faults: faultRatesSchema,
    createFaults: faultRatesSchema,
    statusFaults: faultRatesSchema,
    slowMs: z.number().int().min(0),
    retryAfterSeconds: z.number().int().min(0),
    serverErrorStatuses: z.array(z.union(SERVER_ERROR_STATUSES.map((s) => z.literal(s)))).min(1),
    legacy: z.boolean(),
    errorStyle: z.enum(['plain', 'problem', 'mixed']),
    idStyle: z.enum(['auto', 'model', 'short']),
    publicUrl: z.url({ protocol: /^https?$/ }),
    maxGenerations: z.number().int().min(1),
    seed: z.number().int(),
    costOn: z.enum(['create', 'completed', 'both']),
    fresh404Ms: z.number().int().min(0),
    filesExpireMs: z.number().int().min(0),
    pendingSpellings: z.array(z.string().min(1)),
    unknownStatusRate: z.number().min(0).max(1),
    forbiddenModels: z.array(z.string().min(1)),
    renamedModels: z.record(z.string().min(1), z.string().min(1)),
    logsDelayMs: z.number().int().min(0),
    logsRowAt: z.enum(['request', 'completed']),
    balanceUsd: z.number(),
  })
  .partial()
  .strict();
