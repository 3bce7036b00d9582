// What every command writes to and how it ends: the streams and environment it is given (tests pass
// their own), and the exit codes.
export type CliIo = {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C (SIGINT): a command stops, cleans up and says where things stand. */
  signal?: AbortSignal;
};

/** Exit codes: 0 ok, 1 failure (the API refused, a row failed to download...), 2 usage, 130 interrupted (Ctrl-C). */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2, Interrupted: 130 } as const;

/** Thrown by a command's step when Ctrl-C stopped it; the command says what state things are in. */
export class Interrupted extends Error {
  override name = 'Interrupted';
  constructor() {
    super('interrupted');
  }
}
