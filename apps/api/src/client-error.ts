import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { SECURITY_HEADERS } from './security-headers.js';

/** What Node's HTTP parser refused before Fastify saw a request, in the API's error shape. */
function describe(code: string | undefined): { status: number; code: string; message: string } {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      status: 408,
      code: 'REQUEST_TIMEOUT',
      message: 'The request did not arrive whole within REQUEST_TIMEOUT_MS',
    };
  }
  if (code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      code: 'HEADERS_TOO_LARGE',
      message: 'The request headers are larger than this server accepts (16 KiB in all)',
    };
  }
  return {
    status: 400,
    code: 'BAD_REQUEST',
    message: `The request is not valid HTTP/1.1 (${code ?? 'parse error'}): a malformed request line, header, Content-Length or chunk`,
  };
}

/**
 * Fastify's `clientErrorHandler`: the same cases as its default (a reset socket is left alone), but the
 * answer is `{ error: { code, message } }` with the security headers every other answer carries.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, message } = describe(err.code);
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    const headers = Object.entries(SECURITY_HEADERS)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n${headers}Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
