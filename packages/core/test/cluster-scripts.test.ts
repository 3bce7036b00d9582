import { Queue } from 'bullmq';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSocketWrites, startTestCluster, uniquePrefix, type TestCluster } from '@vidqueue/testkit';
import { vidqKeys } from '../src/contract/index.js';
import { createRedis, loadConfig } from '../src/runtime/index.js';
import {
  SCRIPT_NAMES,
  jobKey,
  readRunFlags,
  scripts,
  updateDataAndLog,
  updateDataIfLocked,
  type ScriptName,
} from '../src/store/index.js';

/**
 * Every vidqueue Lua script on a real 3-master Redis Cluster, with its keys built the way its callers
 * build them under a hash-tagged prefix: none may answer CROSSSLOT. And every key vidqueue names sits
 * in the slot of the queue's own BullMQ keys.
 */
let cluster: TestCluster;
let redis: Cluster;
let queue: Queue;
let prefix: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  const config = loadConfig({ ...cluster.env, QUEUE_PREFIX: `{${uniquePrefix('slots')}}` });
  prefix = config.QUEUE_PREFIX;
  redis = createRedis(config, 'worker') as Cluster;
  queue = new Queue('generations', { connection: redis, prefix });
}, 40_000);

afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await cluster?.stop();
});

const slotOf = async (key: string) => Number(await redis.cluster('KEYSLOT', key));

describe('hash tags on a Redis Cluster', () => {
  it("coalesces the commands issued at once on each node's connection (coalesce-writes.ts)", async () => {
    const key = `${prefix}:coalesce`;
    await redis.del(key);
    const nodes = redis.nodes('all').filter((node) => node.status === 'ready');
    expect(nodes.length).toBeGreaterThanOrEqual(1);
    const writes = nodes.map((node) => countSocketWrites(node.stream));
    const replies = await Promise.all(Array.from({ length: 30 }, () => redis.incr(key)));
    expect(replies.at(-1)).toBe(30);
    expect(writes.reduce((sum, w) => sum + w.calls(), 0)).toBe(1);
    await redis.del(key);
  });

  it('puts every key vidqueue names in the slot of the queue, which one master serves', async () => {
    const queueSlot = await slotOf(`${prefix}:generations:wait`);
    const keys = vidqKeys(prefix);
    const named: string[] = [];
    for (const value of Object.values(keys)) {
      if (typeof value === 'string') named.push(value);
      else if (typeof value === 'object') named.push(...Object.values(value as Record<string, string>));
      else {
        const made = (value as (...args: unknown[]) => unknown)('id-1', 7);
        if (typeof made === 'string') named.push(made);
        else named.push(...Object.values(made as Record<string, string>));
      }
    }
    expect(named.length).toBeGreaterThanOrEqual(30);
    for (const key of named) expect(await slotOf(key), key).toBe(queueSlot);
    // The test can fail: a prefix without a tag spreads the same keys over slots.
    const untagged = vidqKeys('vidq').batch('bat_1');
    expect(new Set(await Promise.all(Object.values(untagged).map(slotOf))).size).toBeGreaterThan(1);
  });

  it('runs every Lua script without CROSSSLOT', async () => {
    const keys = vidqKeys(prefix);
    const job = await queue.add('generate', { step: 'pending' });
    const key = jobKey(job);
    await redis.set(`${key}:lock`, 'token-1');
    const b = keys.batch('bat_cluster');
    const batchKeys = [b.meta, b.counts, b.status, b.result, b.attempt, b.input];
    const now = Date.now();
    const ran = new Set<ScriptName>();
    const run = async (name: ScriptName, k: string[], args: (string | number)[]) => {
      ran.add(name);
      return scripts[name].run(redis, k, args);
    };

    expect(
      await run(
        'batch-create',
        [b.meta, b.counts, keys.batchIndex],
        [600, 2, 'id', 'bat_cluster', 'created_at', now],
      ),
    ).toBe(1);
    await redis.hset(b.input, '0', '{}', '1', '{}');
    expect(await run('batch-mark-enqueued', batchKeys, [now, 600, '[]'])).toBe(1);
    expect(await run('batch-set-row', batchKeys, ['0', 'generating', 0, '', 0, now, 600, '', ''])).toEqual([
      1,
      'queued',
    ]);
    expect(
      await run('batch-set-row', batchKeys, ['0', 'failed', 0, '{"error":"x"}', 0, now, 600, 'gen-1', '1']),
    ).toEqual([1, 'generating']);
    expect(await run('batch-scan-rows', [b.status, b.input], [0, 1, 'failed', ''])).toEqual([0]);
    expect(await run('batch-retry-rows', batchKeys, [now, 600, '0', '', '1'])).toEqual([0, 1]);
    expect(await run('batch-cancel-rows', batchKeys, [now, 600, '{"error":"cancelled"}', '0', '1'])).toBe(2);
    expect(await run('durations-record', [keys.durations('m', 5)], [9, 1200, 1300])).toBe(1);
    expect(await run('in-flight-reserve', [keys.inFlight], [now, now + 60_000, 10, job.id!])).toBe(1);
    expect(await run('backoff-extend', [keys.backoff('create')], [60_000, '429 on create'])).toBe(1);
    expect(await run('logs-seen-add', [keys.logsSeen(1)], [60_000, 'req-1', '{}'])).toBe(1);
    expect(await run('logs-pass-done', [keys.logsPass('m|0|1').done], [now, 60_000])).toBe(1);
    // The spending caps: a reservation against the day and the batch, then without either (the absent
    // keys travel as the reservation's own), settled both ways.
    const reservation = keys.reservation('job-spend');
    await redis.hset(b.meta, 'max_cost_micro_usd', 10_000_000);
    expect(
      await run(
        'spend-reserve',
        [reservation, keys.spendDay('2026-12-01'), b.meta],
        [100_000, 50_000_000, '2026-12-01', 600, 600, 'bat_cluster'],
      ),
    ).toEqual(['reserved']);
    expect(
      await run('spend-settle', [reservation, keys.spendDay('2026-12-01'), b.meta], ['actual', 90_000]),
    ).toBe('settled');
    const alone = keys.reservation('job-alone');
    expect(await run('spend-reserve', [alone, alone, alone], [100_000, 0, '', 600, 600, ''])).toEqual([
      'reserved',
    ]);
    expect(await run('spend-settle', [alone, alone, alone], ['release', 0])).toBe('released');
    // The job scripts, through their callers, into BullMQ's own keys of the same queue.
    ran.add('job-update-if-locked');
    expect(await updateDataIfLocked(redis, job, 'token-1', { step: 'submitting' })).toBe(true);
    ran.add('job-update-and-log');
    await updateDataAndLog(redis, job, { step: 'checking' }, 'a log line');
    ran.add('job-run-flags');
    // Skipped reads ('' for the caller) must not travel as '' (slot 0): that would be CROSSSLOT.
    const flags = await readRunFlags(
      redis,
      job,
      'token-1',
      { cancel: keys.cancel(job.id!), accountPause: '', backoff: keys.backoff('create'), modelBlock: '' },
      { step: 'submitting' },
    );
    expect(flags[0]).toBe(0); // not cancelled
    expect(flags[3]).toBeGreaterThan(0); // the back-off set above
    expect(flags[4]).toBe(0); // no claim while backing off
    // Without a claim (a status check): one EXISTS over several flags first, all in the prefix's slot.
    const checkKeys = {
      cancel: keys.cancel(job.id!),
      accountPause: keys.accountPause,
      backoff: keys.backoff('status'),
    };
    expect(await readRunFlags(redis, job, 'token-1', checkKeys, undefined)).toEqual([
      0,
      [],
      -2,
      -2,
      0,
      -2,
      '',
    ]);
    expect([...ran].sort()).toEqual([...SCRIPT_NAMES].sort());
  });

  it('would answer CROSSSLOT for keys in two slots (what the tags prevent)', async () => {
    const other = vidqKeys(`{${uniquePrefix('other')}}`);
    const keys = vidqKeys(prefix);
    await expect(
      scripts['job-update-if-locked'].run(redis, [keys.cancel('a'), other.cancel('a')], ['t', '{}']),
    ).rejects.toThrow(/CROSSSLOT/);
    await expect(
      scripts['job-run-flags'].run(
        redis,
        [keys.cancel('a'), '', '', keys.cancel('a'), '', ''],
        ['t', '', '000000'],
      ),
    ).rejects.toThrow(/CROSSSLOT/);
  });
});
