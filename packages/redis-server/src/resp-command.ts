import { once } from 'node:events';
import { connect } from 'node:net';

/**
 * One command over a fresh socket in plain RESP, answered as the raw reply text. Enough to ask a
 * server for `CLUSTER INFO` while it starts, without a Redis client (this package has none).
 */
export async function respCommand(port: number, ...args: string[]): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    let reply = '';
    // A bulk reply may come in several chunks: read until its announced length has arrived.
    for (;;) {
      const [chunk] = (await once(socket, 'data')) as [Buffer];
      reply += chunk.toString('utf8');
      if (isComplete(reply)) return reply;
    }
  } finally {
    socket.destroy();
  }
}

function isComplete(reply: string): boolean {
  if (reply[0] !== '$') return reply.endsWith('\r\n');
  const headerEnd = reply.indexOf('\r\n');
  if (headerEnd < 0) return false;
  const length = Number(reply.slice(1, headerEnd));
  return length < 0 || Buffer.byteLength(reply) >= headerEnd + 2 + length + 2;
}
