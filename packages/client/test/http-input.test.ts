import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, NotFoundError, type VidqueueClient } from '../src/http.js';
import { API_TOKEN, startTestStack, type TestStack } from './harness.js';

describe('createHttpClient: the API address', () => {
  it('refuses a URL with a user name or password without ever echoing it', () => {
    const make = () => createHttpClient({ apiUrl: 'http://admin:s3cret-pw@127.0.0.1:3000' });
    expect(make).toThrow(TypeError);
    expect(make).toThrow(/must not hold a user name or password/);
    expect(() => make()).not.toThrow(/s3cret-pw/);
  });

  it('refuses what is not an http(s) URL, by a message that says so', () => {
    expect(() => createHttpClient({ apiUrl: 'localhost:3000' })).toThrow(/http\(s\) URL/);
    expect(() => createHttpClient({ apiUrl: 'not a url' })).toThrow(/not a URL/);
  });
});

describe('HTTP mode: NotFoundError names the id asked for', () => {
  let stack: TestStack;
  let vq: VidqueueClient;
  beforeAll(async () => {
    stack = await startTestStack(undefined, { WEBHOOK_SECRET: 'whsec_Y29udHJhY3QtdGVzdC1zaWduaW5nLWtleQ==' });
    vq = createHttpClient({ apiUrl: stack.api.url, token: API_TOKEN });
  });
  afterAll(async () => {
    await vq?.close();
    await stack?.close();
  });

  it('for a webhook delivery, a purge and a cap change', async () => {
    const replay = await vq.replayWebhookDelivery('msg_doesnotexist').catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(NotFoundError);
    expect(replay).toMatchObject({ id: 'msg_doesnotexist', code: 'DELIVERY_NOT_FOUND' });
    await expect(vq.purgeBatch('bat_doesnotexist')).rejects.toMatchObject({
      id: 'bat_doesnotexist',
      code: 'BATCH_NOT_FOUND',
    });
    await expect(vq.updateBatch('bat_doesnotexist', { maxCostUsd: 1 })).rejects.toMatchObject({
      id: 'bat_doesnotexist',
    });
  });
});
