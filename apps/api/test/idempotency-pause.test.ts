import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger, createRedis, loadConfig } from '@vidqueue/core/runtime';
import { startLocalRedis, type LocalRedis } from '@vidqueue/redis-server';
import { LogSink, uniquePrefix } from '@vidqueue/testkit';
import { buildApp, type App } from '../src/app.js';

// An Idempotency-Key must never make the same video twice, nor stay claimed without a video, whatever
// moment Redis stops taking writes. This file runs its own redis-server: it pauses every client's
// writes (`CLIENT PAUSE <ms> WRITE`, from a second connection) for longer than the API waits for Redis,
// so requests answer 503 while their writes are still queued in Redis and land afterwards.

/** How long the API waits for one Redis operation (its guard's timeout) before answering 503. */
const GUARD_MS = 300;
/** Longer than GUARD_MS: writes sent before or during the pause land after the request gave up. */
const PAUSE_MS = 700;

let server: LocalRedis;
let dir: string;
/** The API's connection; a hook on it can pause Redis right before or after a key is claimed. */
let redis: Redis;
let pauser: Redis;
let app: App;
let claimHook: { when: 'before' | 'after'; once: boolean } | undefined;

type Reply = { status: number; id?: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vidq-api-idem-pause-'));
  server = await startLocalRedis({ dir, appendOnly: false });
  redis = createRedis(server.url, 'producer');
  pauser = new Redis(server.url);
  hookClaims(redis);
  app = buildApp({
    config: loadConfig({ REDIS_URL: server.url, QUEUE_PREFIX: uniquePrefix('idem') }),
    logger: createLogger({ level: 'warn', destination: new LogSink() }),
    redis,
    redisTimeoutMs: GUARD_MS,
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  pauser?.disconnect();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Pauses every client's writes for PAUSE_MS (reads still go through). */
async function pauseWrites(): Promise<void> {
  await pauser.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'WRITE');
}

/** Resolves once Redis takes writes again (a write of ours waits behind the pause). */
async function writesResumed(): Promise<void> {
  await pauser.set('probe', String(Date.now()));
}

/**
 * The test's hook on the API's connection: around the `SET … NX` that claims a video Idempotency-Key,
 * pause Redis's writes right before the claim is sent (it then lands after the request gave up) or
 * right after it was answered (the job's add is then stuck behind the pause).
 */
function hookClaims(conn: Redis): void {
  type Send = (...args: unknown[]) => Promise<unknown>;
  const set = conn.set.bind(conn) as unknown as Send;
  const hooked: Send = async (...args) => {
    const hook = claimHook;
    const isClaim = typeof args[0] === 'string' && args[0].includes(':vidq:idem:') && args.includes('NX');
    if (!isClaim || !hook) return set(...args);
    if (hook.once) claimHook = undefined;
    if (hook.when === 'before') await pauseWrites();
    const reply = await set(...args);
    if (hook.when === 'after') await pauseWrites();
    return reply;
  };
  (conn as unknown as { set: Send }).set = hooked;
}

async function post(key: string, prompt: string): Promise<Reply> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/videos',
    headers: { 'idempotency-key': key },
    payload: { prompt },
  });
  const body = res.json<{ id?: string; error?: { code: string } }>();
  return { status: res.statusCode, ...(body.id === undefined ? {} : { id: body.id }) };
}

/** A client that resends after a 503 (and nothing else) until it gets an answer. */
async function resendUntilAnswered(key: string, prompt: string): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let attempt = 0; attempt < 40; attempt++) {
    const reply = await post(key, prompt);
    replies.push(reply);
    if (reply.status !== 503) return replies;
    await sleep(100);
  }
  return replies;
}

async function jobsWithPrompt(prompt: string): Promise<string[]> {
  const jobs = await app.queue.getJobs([
    'waiting',
    'delayed',
    'active',
    'completed',
    'failed',
    'prioritized',
  ]);
  return jobs.filter((j) => j.data.input.prompt === prompt).map((j) => String(j.id));
}

type Case = { key: string; prompt: string; replies: Reply[] };

/** Everything a client can see and everything Redis holds agree on one video per key. */
async function expectOneVideoPerKey(cases: Case[]): Promise<void> {
  await writesResumed();
  for (const c of cases) {
    const more = await resendUntilAnswered(c.key, c.prompt);
    c.replies.push(...more);
  }
  // Writes that were stuck behind a pause have landed; give a late one a moment more.
  await sleep(GUARD_MS);
  for (const { key, prompt, replies } of cases) {
    const label = `${key}: ${JSON.stringify(replies)}`;
    for (const r of replies) expect([200, 202, 503], label).toContain(r.status);
    const ids = new Set(replies.filter((r) => r.status !== 503).map((r) => r.id));
    expect(ids.size, label).toBe(1);
    const [id] = [...ids];
    // Exactly one job for the key, and it is the video every answer named.
    expect(await jobsWithPrompt(prompt), label).toEqual([id]);
    // The key names that video and knows its job exists; a repeat answers it at once.
    expect(await pauser.get(app.keys.idempotency(key)), label).toMatch(
      new RegExp(`^${id} [0-9a-f]{64} added$`),
    );
    expect(await post(key, prompt), label).toEqual({ status: 200, id });
  }
}

describe('Idempotency-Key while Redis stops taking writes', () => {
  it('a pause right after the claim: 503, the add lands later, a resend converges to that one video', async () => {
    const cases: Case[] = [];
    for (let i = 0; i < 3; i++) {
      const c: Case = { key: `after-claim-${i}`, prompt: `a fox, pause after claim ${i}`, replies: [] };
      claimHook = { when: 'after', once: true };
      c.replies.push(await post(c.key, c.prompt));
      cases.push(c);
      await writesResumed();
    }
    // The pause outlasted the guard: the first answer was 503 while its job was still on its way.
    expect(cases.map((c) => c.replies[0]?.status)).toEqual([503, 503, 503]);
    await expectOneVideoPerKey(cases);
  });

  it('a pause right before the claim lands: 503, the key is claimed later without a job, a resend makes its one video', async () => {
    const cases: Case[] = [];
    for (let i = 0; i < 3; i++) {
      const c: Case = { key: `before-claim-${i}`, prompt: `a fox, pause before claim ${i}`, replies: [] };
      claimHook = { when: 'before', once: true };
      c.replies.push(await post(c.key, c.prompt));
      cases.push(c);
      await writesResumed();
    }
    expect(cases.map((c) => c.replies[0]?.status)).toEqual([503, 503, 503]);
    await expectOneVideoPerKey(cases);
  });

  it('8 requests at once, writes paused right after the first claim', async () => {
    const cases: Case[] = Array.from({ length: 8 }, (_, i) => ({
      key: `burst-${i}`,
      prompt: `a fox in a burst, number ${i}`,
      replies: [],
    }));
    claimHook = { when: 'after', once: true };
    const first = await Promise.all(cases.map((c) => post(c.key, c.prompt)));
    first.forEach((r, i) => cases[i]!.replies.push(r));
    // Every request whose writes were caught by the pause answered 503, and still gets exactly one video.
    expect(first.filter((r) => r.status === 503).length).toBeGreaterThan(0);
    await expectOneVideoPerKey(cases);
  });

  it('pauses at several moments of a request in flight, with the same key sent twice at once', async () => {
    const cases: Case[] = [];
    for (const offsetMs of [0, 1, 2, 4, 8, 16]) {
      const c: Case = { key: `in-flight-${offsetMs}`, prompt: `a fox, pause at ${offsetMs} ms`, replies: [] };
      const requests = [post(c.key, c.prompt), post(c.key, c.prompt)];
      await sleep(offsetMs);
      await pauseWrites();
      c.replies.push(...(await Promise.all(requests)));
      cases.push(c);
      await writesResumed();
    }
    await expectOneVideoPerKey(cases);
  });
});

describe('Idempotency-Key claims', () => {
  it('a key whose video was removed (retention) answers 409 IDEMPOTENCY_KEY_CONFLICT, never a second video', async () => {
    const first = await post('removed-1', 'a fox that retention removed');
    expect(first.status).toBe(202);
    await (await app.queue.getJob(first.id!))!.remove();
    const again = await app.inject({
      method: 'POST',
      url: '/v1/videos',
      headers: { 'idempotency-key': 'removed-1' },
      payload: { prompt: 'a fox that retention removed' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ error: { code: string } }>().error.code).toBe('IDEMPOTENCY_KEY_CONFLICT');
    expect(await jobsWithPrompt('a fox that retention removed')).toEqual([]);
  });

  it('a claim of the earlier format (the bare video id) is still honoured', async () => {
    const first = await post('legacy-1', 'a fox from before the upgrade');
    expect(first.status).toBe(202);
    await pauser.set(app.keys.idempotency('legacy-1'), first.id!, 'KEEPTTL');
    expect(await post('legacy-1', 'a fox from before the upgrade')).toEqual({ status: 200, id: first.id });
    const other = await app.inject({
      method: 'POST',
      url: '/v1/videos',
      headers: { 'idempotency-key': 'legacy-1' },
      payload: { prompt: 'another fox' },
    });
    expect(other.statusCode).toBe(409);
    expect(other.json<{ error: { code: string } }>().error.code).toBe('IDEMPOTENCY_KEY_MISMATCH');
  });
});
