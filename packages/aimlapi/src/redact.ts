/** The longest provider message we keep: enough to diagnose, short enough for a log line or a job's failedReason. */
export const MAX_MESSAGE_LENGTH = 500;

/**
 * Removes secrets from text that may be shown or logged: every occurrence of each given secret, and any
 * `Bearer <token>` (a provider echoing our Authorization header must not leak it). Run it before
 * truncating, so a cut can never leave a recognisable piece of a secret behind.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text.replace(/Bearer\s+[^\s"',;]+/gi, 'Bearer [redacted]');
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** Collapses whitespace (messages arrive multi-line) and cuts to `max` characters with an ellipsis. */
export function clip(text: string, max = MAX_MESSAGE_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
