import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Config } from '@vidqueue/core/runtime';
import { LogSink } from '@vidqueue/testkit';
import { startApi, type RunningApi } from '../src/server.js';
import { deletePrefix, testConfig } from './helpers.js';
import { jobTotal, spoolDirs, usePrivateTmpdir } from './batch-helpers.js';

/**
 * The issue (a security probe): a malformed multipart body (no boundary parameter, no boundary in the
 * body) answered 500 INTERNAL_ERROR logged at error level, and a file part the body ended inside (no
 * closing boundary, right Content-Length) held its upload slot until the rate check cut it with 408.
 * A client that went away mid-upload was logged as a server fault ("request failed", level 50).
 * Real sockets here: the rate check and the slot only exist on a real connection.
 */
usePrivateTmpdir();

let running: { api: RunningApi; config: Config; sink: LogSink } | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  if (running) {
    await running.api.close();
    await deletePrefix(running.config);
    running = undefined;
  }
});

type Started = { api: RunningApi; port: number; sink: LogSink };

/** A rate window long enough that a hanging upload fails the test on its status, not its timing. */
async function start(env: Record<string, string> = {}): Promise<Started> {
  const config = testConfig({ PORT: '0', UPLOAD_RATE_WINDOW_MS: '5000', ...env });
  const sink = new LogSink();
  const api = await startApi({ config, logger: createLogger({ level: 'debug', destination: sink }) });
  running = { api, config, sink };
  return { api, port: Number(new URL(api.url).port), sink };
}

/** A fresh connection to the API (closed after each test) and everything it receives until it closes. */
function open(port: number): { socket: Socket; closed: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (received += d));
  socket.on('error', () => undefined);
  return { socket, closed: new Promise((resolve) => socket.on('close', () => resolve(received))) };
}

/** Sends `head` + `body` on a fresh connection; resolves with everything received once the server answers. */
function send(port: number, contentType: string, body: string): Promise<string> {
  const head =
    `POST /v1/batches HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${contentType}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  const { socket, closed } = open(port);
  socket.write(head + body);
  return closed;
}

function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
}

function errorOf(raw: string): { code: string; message: string } | undefined {
  const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as {
    error?: { code: string; message: string };
  };
  return body.error;
}

/** Log lines at error level or above (pino: 50 error, 60 fatal). */
function errorLogs(sink: LogSink): Record<string, unknown>[] {
  return sink.lines.filter((l) => typeof l.level === 'number' && l.level >= 50);
}

const FILE_HEAD = 'Content-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n';

describe('POST /v1/batches: malformed multipart bodies', () => {
  it('answers 400 MALFORMED_MULTIPART for a multipart content type without a boundary parameter', async () => {
    const { api, port, sink } = await start();
    const raw = await send(port, 'multipart/form-data', 'prompt\nx\n');
    expect(statusOf(raw)).toBe(400);
    expect(errorOf(raw)).toEqual({
      code: 'MALFORMED_MULTIPART',
      message: expect.stringMatching(/boundary/i) as unknown,
    });
    expect(errorLogs(sink)).toEqual([]);
    expect(await spoolDirs()).toEqual([]);
    expect(await jobTotal(api.app)).toBe(0);
  });

  it('answers 400 MALFORMED_MULTIPART for a body that never has the declared boundary', async () => {
    const { port, sink } = await start();
    const raw = await send(port, 'multipart/form-data; boundary=XX', 'prompt\nx\n');
    expect(statusOf(raw)).toBe(400);
    expect(errorOf(raw)).toEqual({
      code: 'MALFORMED_MULTIPART',
      message: expect.stringMatching(/ended before/i) as unknown,
    });
    expect(errorLogs(sink)).toEqual([]);
    expect(await spoolDirs()).toEqual([]);
  });

  it('answers 400 at once for a file part the body ends inside, and frees its upload slot', async () => {
    // One slot: a request still holding it would make the next upload 503.
    const { api, port, sink } = await start({ MAX_CONCURRENT_UPLOADS: '1' });
    const started = Date.now();
    const raw = await send(port, 'multipart/form-data; boundary=XX', `--XX\r\n${FILE_HEAD}prompt\nhello\n`);
    expect(statusOf(raw)).toBe(400);
    expect(errorOf(raw)).toEqual({
      code: 'MALFORMED_MULTIPART',
      message: expect.stringMatching(/ended before/i) as unknown,
    });
    // Well inside the 5 s rate window that used to cut it with 408.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(errorLogs(sink)).toEqual([]);
    expect(await spoolDirs()).toEqual([]);
    expect(await jobTotal(api.app)).toBe(0);

    const whole = `--XX\r\n${FILE_HEAD}prompt\nhello\n\r\n--XX--\r\n`;
    const next = await send(port, 'multipart/form-data; boundary=XX', whole);
    expect(statusOf(next)).toBe(202);
    expect(await jobTotal(api.app)).toBe(1);
  });

  it('answers 400 when the body ends inside the file part while it is being spooled', async () => {
    const { port, sink } = await start();
    const body = `--XX\r\n${FILE_HEAD}prompt\n${'a red fox\n'.repeat(50)}`;
    const { socket, closed } = open(port);
    socket.write(
      `POST /v1/batches HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: multipart/form-data; boundary=XX\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 100)}`,
    );
    // The file part is open and spooling when the rest of the body (still no closing boundary) comes.
    await expect.poll(() => spoolDirs(), { timeout: 5_000 }).toHaveLength(1);
    socket.write(body.slice(100));
    const raw = await closed;
    expect(statusOf(raw)).toBe(400);
    expect(errorOf(raw)?.code).toBe('MALFORMED_MULTIPART');
    expect(errorLogs(sink)).toEqual([]);
    expect(await spoolDirs()).toEqual([]);
  });

  it('still answers 413 for a multipart file over MAX_UPLOAD_BYTES', async () => {
    const { port } = await start({ MAX_UPLOAD_BYTES: '100' });
    const body = `--XX\r\n${FILE_HEAD}prompt\n${'a long prompt\n'.repeat(20)}\r\n--XX--\r\n`;
    const raw = await send(port, 'multipart/form-data; boundary=XX', body);
    expect(statusOf(raw)).toBe(413);
  });
});

describe('POST /v1/batches: a client that goes away mid-upload', () => {
  for (const [kind, contentType, partial] of [
    ['CSV', 'text/csv', 'prompt\na red fox\n'],
    ['multipart', 'multipart/form-data; boundary=XX', `--XX\r\n${FILE_HEAD}prompt\na red fox\n`],
  ] as const) {
    it(`logs a ${kind} upload cut by its client as a warning, not as a failed request`, async () => {
      const { api, port, sink } = await start();
      const { socket } = open(port);
      // A head announcing more than is sent, then the client is gone.
      socket.write(
        `POST /v1/batches HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${contentType}\r\nContent-Length: 100000\r\n\r\n${partial}`,
      );
      await expect.poll(() => spoolDirs(), { timeout: 5_000 }).toHaveLength(1);
      socket.destroy();
      await expect
        .poll(
          () => sink.lines.some((l) => l.msg === 'request cut: the connection closed before its body ended'),
          { timeout: 5_000 },
        )
        .toBe(true);
      await expect.poll(() => spoolDirs(), { timeout: 5_000 }).toEqual([]);
      const cut = sink.lines.find(
        (l) => l.msg === 'request cut: the connection closed before its body ended',
      );
      expect(cut?.level).toBe(40);
      expect(errorLogs(sink)).toEqual([]);
      expect(await jobTotal(api.app)).toBe(0);
    });
  }
});
