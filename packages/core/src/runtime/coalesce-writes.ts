import type { Cluster, Redis } from 'ioredis';

/**
 * ioredis writes every command to its socket at once: one `write` system call per command. A busy
 * worker runs a hundred jobs at a time, and each run is several commands (BullMQ's moveToActive and
 * moveToFinished or moveToDelayed, the run's flags, its progress), so at a thousand runs a second the
 * process spends about a fifth of its CPU time in socket writes (a CPU profile of the capacity bench
 * scenario), and Redis as much in reads. Coalescing them is what ioredis' own `enableAutoPipelining`
 * is for, but that sends one pipeline at a time and waits for all its replies before the next, and
 * changes how scripts are sent (NOSCRIPT handling inside pipelines) under BullMQ.
 *
 * This keeps the commands, their order and their replies exactly as they are and only changes how the
 * bytes leave: the first write of an event-loop turn corks the socket, and `setImmediate` uncorks it
 * after the turn's I/O callbacks and their promise continuations ran, so the commands issued in one turn
 * go out in one `writev`. The longest a command waits is the rest of the turn it was issued in.
 *
 * Applied to every connection made by `createRedis` (and to each node connection of a Cluster): on each
 * (re)connection ioredis makes a new socket, and `connect` is emitted before the queued commands of the
 * offline queue are sent.
 */
export function coalesceWrites<T extends Redis | Cluster>(redis: T): T {
  if ((redis as Cluster).isCluster) {
    redis.on('+node', (node: Redis) => coalesceNode(node));
  } else {
    coalesceNode(redis as Redis);
  }
  return redis;
}

function coalesceNode(redis: Redis): void {
  redis.on('connect', () => corkPerTurn(redis.stream));
}

type Corkable = Pick<Redis['stream'], 'write' | 'cork' | 'uncork'>;

/** Wraps `stream.write` (on this socket only) so that writes of one event-loop turn leave together. */
export function corkPerTurn(stream: Corkable): void {
  const write = stream.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = function (this: Corkable, ...args: Parameters<Corkable['write']>) {
    if (!corked) {
      corked = true;
      stream.cork();
      setImmediate(uncork);
    }
    return write.apply(this, args);
  } as Corkable['write'];
}
