/**
 * A read of the harness's own (the queue's counts, say) that may meet the outage the run itself
 * injects: on an error it says so, waits and tries again until `deadline`, then throws the last error.
 * Only for the harness's observations; what the API and the workers do is judged from their answers.
 */
export async function readThroughOutage<T>(
  what: string,
  read: () => Promise<T>,
  deadline: number,
  say: (line: string) => void,
): Promise<T> {
  let failures = 0;
  for (;;) {
    try {
      const value = await read();
      if (failures > 0) say(`${what}: read again after ${failures} failed attempt(s)`);
      return value;
    } catch (err) {
      failures += 1;
      if (Date.now() >= deadline) throw err;
      if (failures === 1) say(`${what}: ${String(err)}; retrying`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
