import type { FastifyInstance } from 'fastify';
import { authenticate } from '../auth.js';
import { CREDITS_PER_USD } from '../prices.js';
import type { SimulatorState } from '../state.js';

/** Threshold of the legacy answer's `lowBalance`, in credits (the docs' example value). */
const LOW_BALANCE_CREDITS = 10_000;

/**
 * `GET /v2/billing` → `{ current_balance, currency: 'USD' }`: the starting balance (`balanceUsd`) minus
 * every completed generation's charge. Legacy `GET /v1/billing/balance` answers the same in credits.
 */
export function billingRoutes(app: FastifyInstance, opts: { state: SimulatorState }): void {
  const { state } = opts;
  app.addHook('onRequest', authenticate(state));

  app.get('/v2/billing', (_request, reply) =>
    reply.send({ current_balance: state.balance(), currency: 'USD' }),
  );

  app.get('/v1/billing/balance', (_request, reply) => {
    const balance = Math.round(state.balance() * CREDITS_PER_USD);
    const low = balance < LOW_BALANCE_CREDITS;
    return reply.send({
      balance,
      lowBalance: low,
      lowBalanceThreshold: LOW_BALANCE_CREDITS,
      lastUpdated: new Date().toISOString(),
      autoDebitStatus: 'disabled',
      status: low ? 'low' : 'current',
      statusExplanation: low
        ? 'Balance is low: top up to keep generating'
        : 'Balance is current and up to date',
    });
  });
}
