import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from './helpers.js';
import { postBatch, usePrivateTmpdir, type Created } from './batch-helpers.js';

// Each live event stream holds a socket and a subscription: one client, or all of them, cannot open
// streams until the process runs out of file descriptors (MAX_EVENT_STREAMS_PER_CLIENT, MAX_EVENT_STREAMS).

usePrivateTmpdir();

let t: TestApp;
let url = '';
let batchId = '';
const opened: IncomingMessage[] = [];

beforeEach(async () => {
  t = await makeApp({ MAX_EVENT_STREAMS_PER_CLIENT: '2', MAX_EVENT_STREAMS: '3' });
  batchId = (await postBatch(t.app, 'prompt\na fox\n')).json<Created>().id;
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
});

afterEach(async () => {
  for (const res of opened.splice(0)) res.destroy();
  await t.close();
});

/** Opens the batch's stream from a loopback address of its own (127.0.0.x: another client to the API). */
function stream(from: string): Promise<{ status: number; body: string; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/v1/batches/${batchId}/events`, { localAddress: from }, (res) => {
      if (res.statusCode === 200) {
        opened.push(res);
        resolve({ status: 200, body: '', res });
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, res }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /v1/batches/:id/events: how many streams are held', () => {
  it('429 past MAX_EVENT_STREAMS_PER_CLIENT, 503 past MAX_EVENT_STREAMS, both with Retry-After; a closed stream gives its place back', async () => {
    const a1 = await stream('127.0.0.1');
    expect((await stream('127.0.0.1')).status).toBe(200);
    const third = await stream('127.0.0.1');
    expect(third.status).toBe(429);
    expect(third.res.headers['retry-after']).toBe('10');
    expect(JSON.parse(third.body)).toMatchObject({
      error: {
        code: 'TOO_MANY_STREAMS',
        message: expect.stringMatching(/MAX_EVENT_STREAMS_PER_CLIENT/) as unknown,
      },
    });

    // Another client still gets one, up to the process's cap.
    expect((await stream('127.0.0.2')).status).toBe(200);
    const full = await stream('127.0.0.3');
    expect(full.status).toBe(503);
    expect(full.res.headers['retry-after']).toBe('10');
    expect(full.body).toMatch(/MAX_EVENT_STREAMS\)/);

    a1.res.destroy();
    await expect.poll(async () => (await stream('127.0.0.1')).status, { interval: 20 }).toBe(200);
  });
});
