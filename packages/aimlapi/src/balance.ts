/**
 * The account balance, `GET /v2/billing` (account-endpoints reference): `{ current_balance: number
 * (USD), currency: "USD" }`, read with the provider key.
 */
export const BALANCE_PATH = '/v2/billing';

export type Balance = { usd: number; currency: string };

/** The balance in an answer, or undefined when it carries no readable `current_balance`. */
export function parseBalance(body: unknown): Balance | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const raw = body as Record<string, unknown>;
  // A balance can be negative (an account in debt), so readNumber's "no negatives" rule is not used.
  const usd =
    typeof raw.current_balance === 'number'
      ? raw.current_balance
      : typeof raw.current_balance === 'string'
        ? Number(raw.current_balance)
        : Number.NaN;
  if (!Number.isFinite(usd)) return undefined;
  const currency = typeof raw.currency === 'string' && raw.currency !== '' ? raw.currency : 'USD';
  return { usd, currency };
}
