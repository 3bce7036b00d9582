import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '@vidqueue/redis-server';
import { createSigner, newWebhookSecret } from '@vidqueue/webhooks';
import { ROOT } from './stack.js';

/** examples/webhook-receiver.ts as a real process, fed deliveries signed the way the worker signs them. */
describe('examples/webhook-receiver.ts', () => {
  const secret = newWebhookSecret();
  let child: ChildProcess;
  let url: string;
  let stdout = '';

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}/hooks`;
    child = spawn(process.execPath, ['--import', 'tsx', 'examples/webhook-receiver.ts'], {
      cwd: ROOT,
      env: { ...process.env, WEBHOOK_SECRET: secret, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    await vi.waitFor(
      () => {
        if (!stdout.includes('listening on')) throw new Error('receiver not listening yet');
      },
      { timeout: 20_000, interval: 50 },
    );
  }, 30_000);

  afterAll(async () => {
    child.kill('SIGTERM');
    await once(child, 'exit');
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('accepts a signed delivery once (a retry with the same webhook-id is not handled twice), refuses a forged one', async () => {
    const body = JSON.stringify({
      type: 'video.completed',
      timestamp: new Date().toISOString(),
      data: {
        id: 'vid_abc',
        status: 'completed',
        video_url: 'https://vidq.example.com/v1/videos/vid_abc/content',
        archive: { sha256: 'f00d' },
      },
    });
    const signed = createSigner([newWebhookSecret(), secret]).sign('msg_example1', new Date(), body);
    expect((await post(body, signed)).status).toBe(204);
    expect((await post(body, createSigner([secret]).sign('msg_example1', new Date(), body))).status).toBe(
      204,
    );
    await expect
      .poll(() => stdout)
      .toContain(
        'msg_example1 video.completed vid_abc https://vidq.example.com/v1/videos/vid_abc/content f00d',
      );
    expect(stdout.match(/msg_example1/g)).toHaveLength(1);

    expect((await post(`${body} `, signed)).status).toBe(400);
    const forged = createSigner([newWebhookSecret()]).sign('msg_example2', new Date(), body);
    expect((await post(body, forged)).status).toBe(400);
    const old = createSigner([secret]).sign('msg_example3', new Date(Date.now() - 10 * 60_000), body);
    expect((await post(body, old)).status).toBe(400);
  });
});
