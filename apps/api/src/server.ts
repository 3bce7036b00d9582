import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { Config, Logger } from '@vidqueue/core/runtime';
import { buildApp, type App } from './app.js';

export type StartApiOptions = {
  config: Config;
  logger: Logger;
  /** A producer connection to use instead of opening one from REDIS_URL (the caller closes it). */
  redis?: Redis;
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

/** 127.0.0.0/8, ::1 (also written [::1] or as IPv4-mapped) and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  if (isIP(v4) === 4) return v4.split('.')[0] === '127';
  if (isIP(h) === 6) return /^(0{0,4}:){7}0{0,3}1$/.test(expandIPv6(h));
  return false;
}

function expandIPv6(address: string): string {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].join(':');
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
