import { describe, expect, it } from 'vitest';
import { spawnTs } from '../src/index.js';

const SCRIPT = new URL('./fixtures/logs-then-exits.ts', import.meta.url);

describe('spawnTs(…).waitForLine', () => {
  it('resolves with a line written later, and with one already written', async () => {
    const child = spawnTs(SCRIPT, {});
    expect(await child.waitForLine('second')).toEqual({ msg: 'second', n: 2 });
    expect(await child.waitForLine('first')).toEqual({ msg: 'first' });
    expect((await child.exited()).code).toBe(3);
  });

  it('rejects with the output when the process exits without the line, and after a timeout', async () => {
    const gone = spawnTs(SCRIPT, {});
    await expect(gone.waitForLine('never')).rejects.toThrow(
      /no "never" log line: the process exited;[^]*"second"/,
    );
    // Called after the exit: rejects at once rather than waiting for the timeout.
    await expect(gone.waitForLine('never', 600_000)).rejects.toThrow(/the process exited/);

    const slow = spawnTs(SCRIPT, {});
    await expect(slow.waitForLine('never', 20)).rejects.toThrow(/not within 20 ms/);
    await slow.kill();
  });
});
