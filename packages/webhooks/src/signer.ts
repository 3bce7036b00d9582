import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** The three Standard Webhooks headers of one attempt. */
export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

export type Signer = {
  /** Signs `id.timestamp.body` with every secret: `v1,<sig> v1,<sig2>` (the spec allows several, for rotation). */
  sign(id: string, at: Date, body: string): WebhookHeaders;
};

/**
 * A signer over `whsec_…` secrets (WEBHOOK_SECRET, space-separated). Signatures come from the
 * `standardwebhooks` package itself, so receivers verifying with it (or any Standard Webhooks
 * library) agree by construction. The secrets live only in this closure: never in Redis, job data or logs.
 */
export function createSigner(secrets: readonly string[]): Signer {
  if (secrets.length === 0) throw new Error('createSigner needs at least one secret');
  const signers = secrets.map((s) => new Webhook(s));
  return {
    sign(id, at, body) {
      return {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signers.map((w) => w.sign(id, at, body)).join(' '),
      };
    },
  };
}

/** A new secret: `whsec_` and 32 random bytes in base64 (the spec asks for 24 to 64). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
