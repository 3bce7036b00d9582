/**
 * A webhook URL the workers would refuse to deliver to, told when it is given instead: an IP literal
 * outside the public internet (127.0.0.1, 10.x, 169.254.169.254, [::1], 0x7f000001 as the URL parser
 * reads it…) or a `localhost` name (RFC 6761: always this machine). A DNS name is not resolved here:
 * what it points to can change, so the workers check every address at the moment of connecting
 * (`@vidqueue/safe-http`), and a refused delivery is recorded as `blocked_address`.
 */
import { classifyAddress } from '@vidqueue/safe-http';

const OPEN_IT = 'WEBHOOK_ALLOW_PRIVATE=true on the API and the workers allows receivers on your own network';

/** Why the workers could never deliver to `url` under the policy; undefined when they may. */
export function webhookUrlRefusal(url: string, allowPrivate: boolean): string | undefined {
  if (allowPrivate) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined; // not a URL: the schema says so
  }
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name === 'localhost' || name.endsWith('.localhost')) {
    return `points at ${host}, this machine, where webhooks are not delivered (${OPEN_IT})`;
  }
  const info = classifyAddress(host);
  if (info === undefined || info.public) return undefined;
  return `points at ${info.address}, which is not a public address (${info.range}); webhooks go to public addresses only (${OPEN_IT})`;
}

/** A WEBHOOK_URL no delivery could reach (a private or loopback address without WEBHOOK_ALLOW_PRIVATE). */
export function webhookUrlProblems(config: {
  WEBHOOK_URL?: string | undefined;
  WEBHOOK_ALLOW_PRIVATE: boolean;
}): string[] {
  const refusal =
    config.WEBHOOK_URL === undefined
      ? undefined
      : webhookUrlRefusal(config.WEBHOOK_URL, config.WEBHOOK_ALLOW_PRIVATE);
  return refusal === undefined ? [] : [`  WEBHOOK_URL: ${refusal}`];
}
