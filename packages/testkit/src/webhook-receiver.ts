import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Received = { headers: IncomingHttpHeaders; body: string; at: number };

/** A webhook receiver on 127.0.0.1: records every request and answers `status(n, headers)` (n from 1). */
export class Receiver {
  readonly received: Received[] = [];
  url = '';
  readonly #server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString(), at: Date.now() });
      res.writeHead(this.status(this.received.length, req.headers)).end();
    });
  });

  constructor(public status: (n: number, headers: IncomingHttpHeaders) => number) {}

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export function startReceiver(status: (n: number) => number = () => 200): Promise<Receiver> {
  return new Receiver(status).listen();
}
