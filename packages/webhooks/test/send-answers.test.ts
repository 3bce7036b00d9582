import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSigner, newWebhookSecret, sendAttempt } from '../src/index.js';

/** A receiver over real HTTP on 127.0.0.1 whose answers a test writes itself. */
async function listen(answer: (path: string, res: ServerResponse) => void): Promise<{
  url: string;
  paths: string[];
  server: Server;
}> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      paths.push(req.url ?? '');
      answer(req.url ?? '', res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths, server };
}

describe('sendAttempt: what a receiver answers', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });
  const headers = createSigner([newWebhookSecret()]).sign('msg_answers', new Date(), '{}');
  const send = (url: string) => sendAttempt(url, '{}', headers, { timeoutMs: 1000, allowPrivate: true });

  it('a 2xx is delivered whatever its body: a 100 KiB page (announced or chunked), or one that never ends', async () => {
    const page = 'x'.repeat(100 * 1024);
    const r = await listen((path, res) => {
      if (path === '/announced') res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      else if (path === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write(page.slice(0, 50_000));
        res.end(page.slice(50_000));
      } else res.writeHead(202).write('still thinking…'); // the body never ends
    });
    servers.push(r.server);
    for (const path of ['/announced', '/chunked', '/endless']) {
      const outcome = await send(`${r.url}${path}`);
      expect([path, outcome.kind, outcome.status, outcome.error]).toEqual([
        path,
        'ok',
        path === '/endless' ? 202 : 200,
        null,
      ]);
      expect(outcome.durationMs).toBeLessThan(1000); // answered when the status came, not at the time limit
    }
  });

  it('a redirect to another host is a failed attempt and that host is never contacted', async () => {
    const other = await listen((_path, res) => res.writeHead(204).end());
    servers.push(other.server);
    const r = await listen((_path, res) => res.writeHead(307, { location: `${other.url}/elsewhere` }).end());
    servers.push(r.server);
    const outcome = await send(`${r.url}/hooks`);
    expect(outcome.kind).toBe('retry');
    expect(outcome.error).toMatch(/^too_many_redirects: /);
    expect(other.paths).toEqual([]);
  });
});
