import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { GenerationStore, statusAt } from '../src/generations.js';
import { chargeFor } from '../src/prices.js';
import { findVideoModel } from '../src/video-models.js';
import { MODEL, startTestSimulator } from './helpers.js';

const input = (prompt: string, totalMs: number) => ({
  model: MODEL,
  prompt,
  duration: 5,
  charge: { usdSpent: 0.1, creditsUsed: 200_000 },
  outcome: 'completed' as const,
  totalMs,
  queuedFraction: 0.15,
  idStyle: 'auto' as const,
});

describe('generation store', () => {
  it('holds 20 000 generations in flight and computes each status from the clock', () => {
    let now = 1_000_000;
    const store = new GenerationStore(100_000, () => now);
    const ids: string[] = [];
    for (let i = 0; i < 20_000; i += 1) ids.push(store.add(input(`p${i}`, 1000 + (i % 1000))).id);
    expect(store.size).toBe(20_000);
    expect(new Set(ids).size).toBe(20_000);
    expect(store.inFlight()).toBe(20_000);
    const first = store.get(ids[0]!)!;
    expect(statusAt(first, now)).toBe('queued');
    now += 150;
    expect(statusAt(first, now)).toBe('generating');
    now += 850;
    expect(statusAt(first, now)).toBe('completed');
    expect(store.inFlight()).toBe(19_980);
    now += 1000;
    expect(store.inFlight()).toBe(0);
  });

  it('forgets the oldest beyond its cap, file keys included', () => {
    const store = new GenerationStore(3);
    const made = [1, 2, 3, 4, 5].map((i) => store.add(input(`p${i}`, 10)));
    expect(store.size).toBe(3);
    expect(store.get(made[0]!.id)).toBeUndefined();
    expect(store.getByFileKey(made[1]!.fileKey)).toBeUndefined();
    expect(store.get(made[4]!.id)).toBe(made[4]);
    store.setMax(1);
    expect(store.size).toBe(1);
  });

  it('prices Kandinsky distill by clip length, 0.02 USD per second', () => {
    const { schema } = findVideoModel(MODEL)!;
    expect(chargeFor(schema, {})).toEqual({ creditsUsed: 200_000, usdSpent: 0.1 });
    expect(chargeFor(schema, { duration: 10 })).toEqual({ creditsUsed: 400_000, usdSpent: 0.2 });
  });

  it('serves 10 000 generations in flight over HTTP', async () => {
    const sim = await startSimulator10k();
    try {
      expect(sim.stats().in_flight).toBe(10_000);
      expect(sim.stats().duplicate_creates).toBe(0);
    } finally {
      await sim.close();
    }
  });
});

/** 10 000 creates over keep-alive HTTP, 32 at a time (node:http: faster than fetch for this many). */
async function startSimulator10k() {
  const t = await startTestSimulator({ generationMs: 600_000 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const post = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${t.url}/v2/video/generations`,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: 'Bearer k',
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < 10_000) {
          const i = next;
          next += 1;
          const status = await post(JSON.stringify({ model: MODEL, prompt: `prompt ${i}` }));
          if (status !== 200) throw new Error(`create answered ${status}`);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return t.sim;
}
