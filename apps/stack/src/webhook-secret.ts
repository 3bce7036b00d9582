import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { newWebhookSecret } from '@vidqueue/webhooks';

/**
 * The local webhook signing secret when WEBHOOK_SECRET is not set: made once (`whsec_` + 32 random
 * bytes), kept in a file only the owner can read, never printed (the log names the file instead).
 * Receivers verify with the same value.
 */
export function localWebhookSecret(file: string): string {
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/.test(saved)) return saved;
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = newWebhookSecret();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
