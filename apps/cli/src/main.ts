import { runCli } from './program.js';

// `pnpm vidq …` or `node --import tsx apps/cli/src/main.ts …`
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
