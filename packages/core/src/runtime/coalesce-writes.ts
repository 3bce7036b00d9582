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
 * bytes leave: the first write corks the socket and `process.nextTick` uncorks it. Node runs that tick
 * once the current callback and every promise continuation it set off have run, so the commands issued
 * in one callback (say, the runs resumed by one batch of Redis replies) go out in one `writev`, and none
 * waits for any other I/O: `setImmediate` would batch more, but delays each command of a sequential
 * chain (BullMQ's fetch loop awaits one moveToActive after another) by the rest of the loop's turn.
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

/** Wraps `stream.write` (on this socket only) so that the writes of one callback and its continuations leave together. */
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
      process.nextTick(uncork);
    }
    return write.apply(this, args);
  } as Corkable['write'];
}
