/** A thrown value in one line (`<name>: <message>`), for job log lines and failure details. */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
