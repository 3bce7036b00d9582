/**
 * For a process's main: runs a config loader and, when it throws the expected error class (a
 * readable list of bad settings that names keys, never secret values), prints it and exits 1.
 * Anything else is a bug and is rethrown.
 */
export function loadOrExit<T>(load: () => T, expected: abstract new (...args: never[]) => Error): T {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof expected)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
