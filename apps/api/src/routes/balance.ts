import type { FastifyInstance } from 'fastify';
import type { FastifyPluginCallbackZod } from '@fastify/type-provider-zod';
import { BalanceViewSchema, type BalanceView } from '@vidqueue/core/contract';
import { toBalanceView } from '@vidqueue/core/producer';

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
    return toBalanceView(await Promise.race([app.producer.balance(), slow]));
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
        response: { 200: BalanceViewSchema },
      },
    },
    () => balanceView(app),
  );
  done();
};
