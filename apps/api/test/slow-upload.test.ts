import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Config } from '@vidqueue/core/runtime';
import { LogSink } from '@vidqueue/testkit';
import { startApi, type RunningApi } from '../src/server.js';
import { deletePrefix, testConfig } from './helpers.js';
import { jobTotal, spoolDirs, usePrivateTmpdir } from './batch-helpers.js';

/**
 * The issue: requestTimeout and connectionTimeout were 0, so one socket trickling a CSV body stayed open
 * past 128 s holding a spool directory, and 30 such sockets held 30. Real sockets here, writing a few
 * bytes at a time.
 */
usePrivateTmpdir();

let running: { api: RunningApi; config: Config } | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  if (running) {
    await running.api.close();
    await deletePrefix(running.config);
    running = undefined;
  }
});

async function start(env: Record<string, string>): Promise<{ api: RunningApi; port: number }> {
  const config = testConfig({ PORT: '0', ...env });
  const api = await startApi({ config, logger: createLogger({ level: 'warn', destination: new LogSink() }) });
  running = { api, config };
  return { api, port: Number(new URL(api.url).port) };
}

type Trickle = {
  /** Everything the server sent, once it closed the connection. */
  closed: Promise<string>;
  /** Sends the rest of the body at once. */
  finish(): void;
};

/**
 * A client that sends the request head, then `chunk` every `everyMs` (a few bytes at a time) until
 * told to finish or the server closes the connection.
 */
function trickle(port: number, head: string, body: string, chunk = 4, everyMs = 100): Trickle {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let sent = 0;
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (received += d));
  socket.on('error', () => undefined);
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  socket.write(head);
  const timer = setInterval(() => {
    if (socket.destroyed || sent >= body.length) return clearInterval(timer);
    socket.write(body.slice(sent, sent + chunk));
    sent += chunk;
  }, everyMs);
  void closed.then(() => clearInterval(timer));
  return {
    closed,
    finish() {
      clearInterval(timer);
      socket.write(body.slice(sent));
      sent = body.length;
    },
  };
}

const BODY = `prompt\n${Array.from({ length: 200 }, (_, i) => `a slow prompt ${i}`).join('\n')}\n`;
const csvHead = (port: number, length = Buffer.byteLength(BODY)) =>
  `POST /v1/batches HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/csv\r\nContent-Length: ${length}\r\n\r\n`;

function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
}

function bodyOf(raw: string): { error?: { code: string; message: string } } {
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error?: { code: string; message: string } };
}

describe('slow uploads', () => {
  it('cuts an upload below UPLOAD_MIN_BYTES_PER_SEC with 408, closes it and removes its spool', async () => {
    const { api, port } = await start({ UPLOAD_MIN_BYTES_PER_SEC: '400', UPLOAD_RATE_WINDOW_MS: '1000' });
    // 40 bytes/s: a tenth of the minimum.
    const slow = trickle(port, csvHead(port), BODY);
    await expect.poll(() => spoolDirs(), { timeout: 5_000 }).toHaveLength(1);
    const raw = await slow.closed;
    expect(statusOf(raw)).toBe(408);
    expect(raw.toLowerCase()).toContain('connection: close');
    expect(bodyOf(raw).error).toEqual({
      code: 'UPLOAD_TOO_SLOW',
      message: expect.stringMatching(
        /^The upload was cut: it sent \d+ bytes in the last 1 s, below the minimum of 400 bytes per second/,
      ) as unknown,
    });
    expect(await spoolDirs()).toEqual([]);
    expect(await jobTotal(api.app)).toBe(0);
  });

  it('cuts a multipart upload trickling before its file part too', async () => {
    const { port } = await start({ UPLOAD_MIN_BYTES_PER_SEC: '400', UPLOAD_RATE_WINDOW_MS: '1000' });
    const boundary = 'slowboundary';
    const body = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="p.csv"\r\ncontent-type: text/csv\r\n\r\n${BODY}\r\n--${boundary}--\r\n`;
    const head = `POST /v1/batches HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const raw = await trickle(port, head, body, 2, 100).closed;
    expect(statusOf(raw)).toBe(408);
    expect(bodyOf(raw).error?.code).toBe('UPLOAD_TOO_SLOW');
    expect(await spoolDirs()).toEqual([]);
  });

  it('answers 503 TOO_MANY_UPLOADS with Retry-After beyond MAX_CONCURRENT_UPLOADS, and takes uploads again after', async () => {
    const { api, port } = await start({ MAX_CONCURRENT_UPLOADS: '1', UPLOAD_MIN_BYTES_PER_SEC: '0' });
    const first = trickle(port, csvHead(port), BODY, 4, 50);
    await expect.poll(() => spoolDirs(), { timeout: 5_000 }).toHaveLength(1);

    const post = () =>
      fetch(`${api.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: BODY });
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_UPLOADS');

    first.finish();
    // The trickled upload completes (its connection stays open: keep-alive), the gate opens again.
    await expect.poll(() => spoolDirs(), { timeout: 5_000 }).toEqual([]);
    await expect.poll(async () => (await post()).status, { timeout: 5_000 }).toBe(202);
    expect(await jobTotal(api.app)).toBe(400);
  });

  it('closes a request that does not arrive whole within REQUEST_TIMEOUT_MS (rate check off), spool removed', async () => {
    await start({ REQUEST_TIMEOUT_MS: '1500', UPLOAD_MIN_BYTES_PER_SEC: '0' });
    const port = Number(new URL(running?.api.url ?? '').port);
    const started = Date.now();
    const raw = await trickle(port, csvHead(port), BODY, 4, 100).closed;
    expect(statusOf(raw)).toBe(408);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The handler sees its body end early and removes the spool.
    await expect.poll(() => spoolDirs(), { timeout: 5_000 }).toEqual([]);
  });

  it('closes a connection idle for CONNECTION_TIMEOUT_MS', async () => {
    const { port } = await start({ CONNECTION_TIMEOUT_MS: '1000' });
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    const started = Date.now();
    // A head announcing a body that never comes.
    socket.write(
      `POST /v1/videos HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`,
    );
    await new Promise((resolve) => socket.on('close', resolve));
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
