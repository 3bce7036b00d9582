import { once } from 'node:events';
import { connect } from 'node:net';

/**
 * One command over a fresh socket in plain RESP (after `AUTH` when a password is given), answered as
 * the raw reply text. Enough to ask a server for `CLUSTER INFO` while it starts, without a Redis
 * client (this package has none).
 */
export async function respCommand(
  port: number,
  args: readonly string[],
  options: { password?: string } = {},
): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let buffered = '';
  const reply = async (): Promise<string> => {
    // A bulk reply may come in several chunks: read until its announced length has arrived.
    while (!isComplete(buffered)) {
      const [chunk] = (await once(socket, 'data')) as [Buffer];
      buffered += chunk.toString('utf8');
    }
    const text = buffered;
    buffered = '';
    return text;
  };
  try {
    await once(socket, 'connect');
    if (options.password !== undefined) {
      socket.write(encode(['AUTH', options.password]));
      const auth = await reply();
      if (!auth.startsWith('+OK')) throw new Error(`AUTH refused: ${auth.trim()}`);
    }
    socket.write(encode(args));
    return await reply();
  } finally {
    socket.destroy();
  }
}

const encode = (args: readonly string[]) =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

function isComplete(reply: string): boolean {
  if (reply.length === 0) return false;
  if (reply[0] !== '$') return reply.endsWith('\r\n');
  const headerEnd = reply.indexOf('\r\n');
  if (headerEnd < 0) return false;
  const length = Number(reply.slice(1, headerEnd));
  return length < 0 || Buffer.byteLength(reply) >= headerEnd + 2 + length + 2;
}
