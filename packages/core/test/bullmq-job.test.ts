import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '@vidqueue/testkit';
import {
  SCRIPT_NAMES,
  jobKey,
  prioritizedHead,
  readRunFlags,
  scriptSource,
  scripts,
  updateDataAndLog,
  updateDataIfLocked,
} from '../src/store/index.js';

/**
 * The layout of BullMQ's own keys that `store/bullmq-job.ts` writes into. If an upgrade of BullMQ
 * changes where a job's data, lock or logs live, these fail before the worker writes to the wrong place.
 */
describe('BullMQ job layout relied on by store/bullmq-job.ts', () => {
  let redis: Redis;
  let queue: Queue;
  let worker: Worker | undefined;
  let prefix: string;

  beforeEach(() => {
    prefix = uniquePrefix('bullmq-layout');
    redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    queue = new Queue('layout', { connection: redis, prefix });
  });

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  });

  /** Takes the job as a worker does, so it has a lock held by `token`. */
  async function takeJob(token: string): Promise<Job> {
    worker = new Worker('layout', null, { connection: redis, prefix, lockDuration: 30_000 });
    const job = await worker.getNextJob(token);
    if (!job) throw new Error('no job to take');
    return job;
  }

  it('keeps a job hash at <prefix>:<queue>:<id> with its data in the field `data`', async () => {
    const job = await queue.add('j', { n: 1 }, { jobId: 'a-1' });
    expect(jobKey(job)).toBe(`${prefix}:layout:a-1`);
    expect(await redis.type(jobKey(job))).toBe('hash');
    expect(JSON.parse((await redis.hget(jobKey(job), 'data')) ?? 'null')).toEqual({ n: 1 });
  });

  it('holds the worker token in <job key>:lock while the job is active', async () => {
    await queue.add('j', { n: 1 }, { jobId: 'a-2' });
    const job = await takeJob('tok-1');
    expect(await redis.get(`${jobKey(job)}:lock`)).toBe('tok-1');
  });

  it('updateDataIfLocked writes only for the lock holder, and BullMQ reads what it wrote', async () => {
    await queue.add('j', { n: 1 }, { jobId: 'a-3' });
    const job = await takeJob('tok-2');
    expect(await updateDataIfLocked(redis, job, 'someone-else', { n: 2 })).toBe(false);
    expect((await queue.getJob('a-3'))?.data).toEqual({ n: 1 });
    expect(await updateDataIfLocked(redis, job, 'tok-2', { n: 3 })).toBe(true);
    expect((await queue.getJob('a-3'))?.data).toEqual({ n: 3 });
  });

  it('updateDataAndLog writes data and a log line that BullMQ lists, trimmed to keepLogs', async () => {
    const job = await queue.add('j', { n: 1 }, { jobId: 'a-4', keepLogs: 2 });
    for (const n of [2, 3, 4]) await updateDataAndLog(redis, job, { n }, `line ${n}`);
    expect((await queue.getJob('a-4'))?.data).toEqual({ n: 4 });
    const logs = await queue.getJobLogs('a-4');
    expect(logs.logs).toEqual(['line 3', 'line 4']);
    // Without a line only the data is written.
    await updateDataAndLog(redis, job, { n: 5 }, undefined);
    expect((await queue.getJob('a-4'))?.data).toEqual({ n: 5 });
    expect((await queue.getJobLogs('a-4')).logs).toEqual(['line 3', 'line 4']);
    await queue.add('j', { n: 1 }, { jobId: 'a-8' });
    await updateDataAndLog(redis, (await queue.getJob('a-8'))!, { n: 2 }, undefined);
    expect(await redis.exists(`${prefix}:layout:a-8:logs`)).toBe(0);
    await (await queue.getJob('a-4'))?.remove();
    await expect(updateDataAndLog(redis, job, { n: 5 }, 'gone')).rejects.toThrow(/Missing key/);
  });

  it('updateDataAndLog with a priority sets the field BullMQ reads when the job leaves the delayed set', async () => {
    await queue.add('j', { n: 1 }, { jobId: 'a-6', priority: 5 });
    await queue.add('j', { n: 1 }, { jobId: 'a-7', priority: 5 });
    worker = new Worker('layout', null, { connection: redis, prefix, lockDuration: 30_000 });
    const dropped = await worker.getNextJob('tok-6');
    const kept = await worker.getNextJob('tok-7');
    if (!dropped || !kept) throw new Error('no job to take');
    await updateDataAndLog(redis, dropped, { n: 2 }, 'in flight', 0);
    await updateDataAndLog(redis, kept, { n: 2 }, 'still queued');
    expect(dropped.priority).toBe(0);
    for (const [job, token] of [
      [dropped, 'tok-6'],
      [kept, 'tok-7'],
    ] as const) {
      await job.moveToDelayed(Date.now() + 60_000, token);
      await (await queue.getJob(job.id!))?.promote();
    }
    // Priority 0: the wait list, which workers take before any prioritized job.
    expect(await queue.getJobState('a-6')).toBe('waiting');
    expect(await queue.getJobState('a-7')).toBe('prioritized');
    expect((await queue.getJob('a-6'))?.priority).toBe(0);
    expect((await queue.getJob('a-6'))?.data).toEqual({ n: 2 });
  });

  it('prioritizedHead reads the priority of the prioritized job a worker takes next', async () => {
    expect(await prioritizedHead(redis, queue)).toBeUndefined();
    await queue.add('j', {}, { jobId: 'p-7', priority: 7 });
    await queue.add('j', {}, { jobId: 'p-3', priority: 3 });
    await queue.add('j', {}, { jobId: 'p-max', priority: 2 ** 21 - 1 });
    expect(await prioritizedHead(redis, queue)).toBe(3);
    expect((await queue.getPrioritized(0, 0)).map((j) => j.id)).toEqual(['p-3']);
    worker = new Worker('layout', null, { connection: redis, prefix, lockDuration: 30_000 });
    expect((await worker.getNextJob('tok-p'))?.id).toBe('p-3');
    expect(await prioritizedHead(redis, queue)).toBe(7);
    await queue.remove('p-7');
    expect(await prioritizedHead(redis, queue)).toBe(2 ** 21 - 1);
  });

  it('readRunFlags claims the job only while the run holds its lock and nothing holds it back', async () => {
    await queue.add('j', { step: 'pending' }, { jobId: 'a-5' });
    const job = await takeJob('tok-3');
    const keys = { cancel: `${prefix}:c`, accountPause: `${prefix}:p`, backoff: `${prefix}:b` };
    expect(await readRunFlags(redis, job, 'not-mine', keys, { step: 'submitting' })).toEqual([
      0,
      [],
      -2,
      -2,
      0,
      -2,
      '',
    ]);
    await redis.set(keys.backoff, 'x', 'PX', 60_000);
    const held = await readRunFlags(redis, job, 'tok-3', keys, { step: 'submitting' });
    expect(held[3]).toBeGreaterThan(0);
    expect(held[4]).toBe(0);
    await redis.del(keys.backoff);
    const modelBlock = `${prefix}:m`;
    await redis.set(modelBlock, 'Model m is not available for your plan', 'PX', 60_000);
    const blocked = await readRunFlags(redis, job, 'tok-3', { ...keys, modelBlock }, { step: 'submitting' });
    expect(blocked[4]).toBe(0);
    expect(blocked[5]).toBeGreaterThan(0);
    expect(blocked[6]).toBe('Model m is not available for your plan');
    await redis.del(modelBlock);
    // Each flag is read in full once any is set: the account pause (its fields and PTTL), the cancel.
    await redis.hset(keys.accountPause, { reason: 'credits', status: '403' });
    await redis.pexpire(keys.accountPause, 60_000);
    const paused = await readRunFlags(redis, job, 'tok-3', keys, { step: 'submitting' });
    expect(paused[1]).toEqual(['reason', 'credits', 'status', '403']);
    expect(paused[2]).toBeGreaterThan(0);
    expect(paused[4]).toBe(0);
    await redis.del(keys.accountPause);
    await redis.set(keys.cancel, '1');
    const cancelled = await readRunFlags(redis, job, 'tok-3', keys, { step: 'submitting' });
    expect([cancelled[0], cancelled[4]]).toEqual([1, 0]);
    await redis.del(keys.cancel);
    expect(
      (await readRunFlags(redis, job, 'tok-3', { ...keys, modelBlock }, { step: 'submitting' }))[4],
    ).toBe(1);
    expect((await queue.getJob('a-5'))?.data).toEqual({ step: 'submitting' });
  });

  it('readRunFlags without a claim answers from one EXISTS when no flag is set, from the script when one is', async () => {
    await queue.add('j', { step: 'checking' }, { jobId: 'a-9' });
    const job = await takeJob('tok-9');
    const keys = { cancel: `${prefix}:c9`, accountPause: '', backoff: `${prefix}:b9` };
    // The real connection, with the commands it is asked for written down.
    const sent: string[] = [];
    const seen = {
      exists: (...k: string[]) => (sent.push('exists'), redis.exists(...k)),
      evalsha: (...a: Parameters<Redis['evalsha']>) => (sent.push('evalsha'), redis.evalsha(...a)),
      eval: (...a: Parameters<Redis['eval']>) => (sent.push('eval'), redis.eval(...a)),
    };
    expect(await readRunFlags(seen, job, 'tok-9', keys, undefined)).toEqual([0, [], -2, -2, 0, -2, '']);
    expect(sent).toEqual(['exists']);
    await redis.set(keys.backoff, '429 on status', 'PX', 60_000);
    const held = await readRunFlags(seen, job, 'tok-9', keys, undefined);
    expect(sent.slice(1, 3)).toEqual(['exists', 'evalsha']);
    expect([held[0], held[4]]).toEqual([0, 0]);
    expect(held[3]).toBeGreaterThan(0);
    await redis.del(keys.backoff);
    await redis.set(keys.cancel, '1');
    expect((await readRunFlags(seen, job, 'tok-9', keys, undefined))[0]).toBe(1);
    await redis.del(keys.cancel);
  });
});

describe('Redis scripts', () => {
  it('each states its KEYS/ARGV contract at the top and runs (after a SCRIPT FLUSH too)', async () => {
    const redis = new Redis(inject('redisUrl'));
    try {
      for (const name of SCRIPT_NAMES) {
        const source = scriptSource(name);
        expect(source.startsWith(`-- ${name}:`), name).toBe(true);
        expect(source, name).toMatch(/-- KEYS\[1\]/);
      }
      const key = `${uniquePrefix('scripts')}:backoff`;
      await scripts['backoff-extend'].run(redis, [key], [60_000, 'why']);
      if (inject('redisOwned')) await redis.script('FLUSH');
      await scripts['backoff-extend'].run(redis, [key], [120_000, 'again']);
      expect(await redis.get(key)).toBe('again');
      await redis.del(key);
      await expect(scripts['backoff-extend'].run(redis, [], [1, 'x'])).rejects.toThrow(/takes 1 keys/);
    } finally {
      redis.disconnect();
    }
  });
});
