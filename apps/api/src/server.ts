import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { Catalogue } from '@vidqueue/aimlapi';
import type { Config, Logger } from '@vidqueue/core/runtime';
import { buildApp, type App } from './app.js';
import { isLoopbackHost } from './loopback.js';

export { isLoopbackHost };

export type StartApiOptions = {
  config: Config;
  logger: Logger;
  /** A producer connection to use instead of opening one from REDIS_URL (the caller closes it). */
  redis?: Redis;
  /** The models requests are checked against (default: the shipped catalogue). */
  catalogue?: Catalogue;
};

export type RunningApi = {
  app: App;
  /** Where clients reach it, e.g. http://127.0.0.1:3000 (a wildcard HOST is shown as loopback). */
  url: string;
  /** Stops accepting requests, finishes those in flight, closes the queue and Redis connection. */
  close(): Promise<void>;
};

export class UnsafeBindError extends Error {
  override name = 'UnsafeBindError';
}

/** Throws unless the API is protected by tokens or reachable from this machine only. */
export function assertSafeBinding(config: Pick<Config, 'HOST' | 'API_TOKENS'>): void {
  if ((config.API_TOKENS ?? []).length > 0 || isLoopbackHost(config.HOST)) return;
  throw new UnsafeBindError(
    `Refusing to listen on HOST=${config.HOST} without API_TOKENS: anyone who can reach it could spend your provider credits. ` +
      'Set API_TOKENS=<token>[,<token>...] (clients then send "Authorization: Bearer <token>"), or bind to a loopback address such as 127.0.0.1.',
  );
}

function displayHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** Builds the app and listens on HOST:PORT (PORT 0 picks a free port; see `url`). */
export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const { config, logger } = options;
  assertSafeBinding(config);
  const app = buildApp(options);
  try {
    await app.listen({
      host: config.HOST,
      port: config.PORT,
      listenTextResolver: (address) => `api listening at ${address}`,
    });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const url = `http://${displayHost(config.HOST)}:${address.port}`;
  logger.info(
    {
      url,
      auth: (config.API_TOKENS ?? []).length > 0 ? 'bearer tokens' : 'none (loopback only)',
      dashboard: config.DASHBOARD_PASSWORD ? `${url}/admin/queues` : 'off (set DASHBOARD_PASSWORD)',
      docs: `${url}/docs`,
      page: `${url}/`,
    },
    'api ready',
  );
  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    close: () => (closing ??= app.close()),
  };
}
