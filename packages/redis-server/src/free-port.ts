import { once } from 'node:events';
import { createServer } from 'node:net';

/** Asks the kernel for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** True when nothing listens on the loopback port (it could be bound just now). */
async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  const ok = await new Promise<boolean>((resolve) => {
    server.once('listening', () => resolve(true));
    server.once('error', () => resolve(false));
  });
  if (ok) {
    server.close();
    await once(server, 'close');
  }
  return ok;
}

/**
 * A free loopback port for a Redis Cluster node whose bus port (port + 10000) is free too. Drawn at
 * random from 20000–29999, below the kernel's ephemeral range, so both stay under 65536.
 */
export async function freeClusterPort(): Promise<number> {
  for (let tries = 0; tries < 200; tries += 1) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair (port, port + 10000) found in 20000-29999');
}
