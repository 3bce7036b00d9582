import { afterEach, describe, expect, it } from 'vitest';
import { dumpKeys } from '@vidqueue/testkit';
import { PROVIDER_KEY, startHarness, type Harness } from './harness.js';

describe('the provider key', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('never reaches logs (even at debug) or Redis, whatever happens to the jobs', async () => {
    h = await startHarness({ sim: { generationMs: 200 } });
    const ok = await h.add({ metadata: { campaign: 'winter' } });
    expect((await h.finished(ok)).state).toBe('completed');

    h.sim.configure({ createFaults: { fail: 1 } });
    expect((await h.finished(await h.add())).state).toBe('failed');
    h.sim.configure({ createFaults: { fail: 0, drop: 1 } });
    const dropped = await h.add();
    await expect.poll(() => h!.sim.stats().faults.drop, { interval: 10 }).toBe(1);
    h.sim.configure({ createFaults: { drop: 0 } });
    // Recovered from the usage logs (its rows are kept in Redis too: still no key there).
    expect((await h.finished(dropped)).state).toBe('completed');
    h.sim.configure({ createFaults: { drop: 0 }, apiKeys: ['another-key'] });
    const paused = await h.add();
    await expect.poll(() => h!.queue.getJobState(paused.id!), { interval: 20 }).toBe('delayed');
    await expect.poll(() => h!.sim.stats().rejected.unauthorized).toBe(1);

    const redisText = await dumpKeys(h.redis, `${h.config.QUEUE_PREFIX}:*`);
    expect(redisText).toContain('account-pause');
    expect(redisText).toContain('generationId');
    expect(redisText).toContain('logs-seen');
    expect(redisText).not.toContain(PROVIDER_KEY);
    expect(h.sink.raw.length).toBeGreaterThan(10);
    expect(h.sink.text()).not.toContain(PROVIDER_KEY);
  });
});
