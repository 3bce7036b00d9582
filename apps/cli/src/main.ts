import { runCli } from './program.js';

// `pnpm vidq …` or `node --import tsx apps/cli/src/main.ts …`. Ctrl-C (SIGINT) asks the running command
// to stop cleanly and say where things stand (exit 130); a second Ctrl-C ends the process at once.
const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
});
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupt.signal,
});
// Interrupted: a request or download stopped halfway may still hold a socket; nothing is left to do.
if (interrupt.signal.aborted) process.exit(code);
process.exitCode = code;
