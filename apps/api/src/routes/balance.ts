import type { FastifyInstance } from 'fastify';
import type { FastifyPluginCallbackZod } from '@fastify/type-provider-zod';
import { z } from 'zod';

export const BalanceSchema = z
  .object({
    balance_usd: z.number().nullable().describe('The account balance (GET /v2/billing); null when unknown'),
    currency: z.string().nullable(),
    checked_at: z.iso
      .datetime()
      .nullable()
      .describe('When the provider gave it (reused for BALANCE_CACHE_MS)'),
    reason: z
      .string()
      .nullable()
      .describe('Why it is unknown: no provider key (AIMLAPI_KEY unset), or the provider did not answer'),
  })
  .meta({ id: 'Balance' });
export type BalanceView = z.infer<typeof BalanceSchema>;

/** Longest a route waits for the provider's balance before saying it is unknown (healthz must stay quick). */
export const BALANCE_WAIT_MS = 2_000;

/** The balance as routes show it, waiting at most `waitMs` for the provider. */
export async function balanceView(app: FastifyInstance, waitMs = BALANCE_WAIT_MS): Promise<BalanceView> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<{ known: false; reason: string }>((resolve) => {
    timer = setTimeout(
      () => resolve({ known: false, reason: `the provider did not give the balance within ${waitMs} ms` }),
      waitMs,
    );
  });
  try {
    const reading = await Promise.race([app.producer.balance(), slow]);
    return reading.known
      ? {
          balance_usd: reading.usd,
          currency: reading.currency,
          checked_at: new Date(reading.checkedAt).toISOString(),
          reason: null,
        }
      : { balance_usd: null, currency: null, checked_at: null, reason: reading.reason };
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /v1/balance`: the provider account's balance, read with AIMLAPI_KEY (bearer token like every /v1 route). */
export const balanceRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get(
    '/v1/balance',
    {
      schema: {
        tags: ['billing'],
        summary: "The provider account's balance in USD (null, with the reason, when it cannot be read)",
        response: { 200: BalanceSchema },
      },
    },
    () => balanceView(app),
  );
  done();
};
