// What every command writes to and how it ends: the streams and environment it is given (tests pass
// their own), the exit codes, and how an action gets its client.
import type { VidqueueClient } from '@vidqueue/client/http';

export type CliIo = {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
};

/** Exit codes: 0 ok, 1 failure (the API refused, a row failed to download...), 2 usage. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;

/**
 * Wraps a command's action: it gets a client for the global --api/--token, its return value is the exit
 * code, an error is printed and exits 1, the client is closed after.
 */
export type Act = <A extends unknown[]>(
  fn: (vq: VidqueueClient, ...args: A) => Promise<number | void>,
) => (...args: A) => Promise<void>;
