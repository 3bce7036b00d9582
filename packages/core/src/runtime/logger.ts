import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino censors in every log line. pino cannot see inside strings, so secrets must never be
 * interpolated into messages: pass them (if at all) as fields that match these paths.
 */
export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'password',
  '*.password',
  'redisUrl',
  '*.redisUrl',
  'AIMLAPI_KEY',
  '*.AIMLAPI_KEY',
  'API_TOKENS',
  '*.API_TOKENS',
  'DASHBOARD_PASSWORD',
  '*.DASHBOARD_PASSWORD',
  'REDIS_URL',
  '*.REDIS_URL',
  'REDIS_PASSWORD',
  '*.REDIS_PASSWORD',
  'AWS_ACCESS_KEY_ID',
  '*.AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  '*.AWS_SECRET_ACCESS_KEY',
  'secretAccessKey',
  '*.secretAccessKey',
  'WEBHOOK_SECRET',
  '*.WEBHOOK_SECRET',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/**
 * pino's error serializer, minus the arguments of a failed Redis command: ioredis puts them on its
 * errors (`command: { name, args }`), and those of `AUTH` are the Redis password (REDIS_URL's or
 * REDIS_PASSWORD), of others job data. Only the command's name is kept; nested causes alike.
 */
export function serializeError(err: Error): Record<string, unknown> {
  return dropCommandArgs(pino.stdSerializers.err(err));
}

function dropCommandArgs(serialized: Record<string, unknown>): Record<string, unknown> {
  const command = serialized.command as { name?: unknown } | undefined;
  if (command && typeof command === 'object') serialized.command = { name: command.name };
  const cause = serialized.cause;
  if (cause && typeof cause === 'object') dropCommandArgs(cause as Record<string, unknown>);
  return serialized;
}

/**
 * An HTTP request as a log line shows it (Fastify's `req`), without its query string: a client may put
 * a token there (`?token=…`, which no route reads) or a webhook URL holding one.
 */
export function serializeRequest(req: {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}): Record<string, unknown> {
  const url = typeof req.url === 'string' ? req.url.replace(/\?[\s\S]*$/, '?…') : req.url;
  return {
    method: req.method,
    url,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export type LoggerSettings = {
  level?: LoggerOptions['level'];
  pretty?: boolean;
  name?: string;
  /** Where lines go; defaults to stdout. Tests pass a sink stream and parse the JSON lines. */
  destination?: DestinationStream;
};

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    name: settings.name,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError, req: serializeRequest },
  };
  if (settings.destination) return pino(options, settings.destination);
  if (settings.pretty) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino(options);
}
