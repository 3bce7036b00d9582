// What every command writes to and how it ends: the streams and environment it is given (tests pass
// their own), and the exit codes.
export type CliIo = {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
};

/** Exit codes: 0 ok, 1 failure (the API refused, a row failed to download...), 2 usage. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;
