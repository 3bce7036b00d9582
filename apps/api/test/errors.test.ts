import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@vidqueue/core/runtime';
import { LogSink } from '@vidqueue/testkit';
import { buildApp, type App } from '../src/app.js';
import { producerError } from '@vidqueue/core/producer';
import { HttpError } from '../src/errors.js';
import { deletePrefix, testConfig } from './helpers.js';

let app: App | undefined;
const config = testConfig();
afterEach(async () => {
  await app?.close();
  app = undefined;
  await deletePrefix(config);
});

describe('root error handler', () => {
  it('hides the cause of a 500 from the client and logs it under err', async () => {
    const sink = new LogSink();
    app = buildApp({ config, logger: createLogger({ destination: sink }) });
    app.get('/boom', { config: { auth: 'public' } }, () => {
      throw new Error('db password is swordfish');
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' },
    });
    expect(res.body).not.toContain('swordfish');
    const logged = sink.lines.find((l) => l.msg === 'request failed');
    expect((logged?.err as { message?: string } | undefined)?.message).toBe('db password is swordfish');
  });

  it('answers a producer refusal with its catalogue status, code and message', async () => {
    app = buildApp({ config, logger: createLogger({ destination: new LogSink() }) });
    app.get('/gone', () => {
      throw producerError.videoNotFound('vid_x');
    });
    const res = await app.inject({ method: 'GET', url: '/gone' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'VIDEO_NOT_FOUND', message: 'No video with id vid_x' } });
  });

  it("answers the HTTP layer's own errors from its table", async () => {
    app = buildApp({ config, logger: createLogger({ destination: new LogSink() }) });
    app.get('/multipart', { config: { auth: 'public' } }, () => {
      throw new HttpError.BadRequest('The multipart body needs a file field named "file"');
    });
    const res = await app.inject({ method: 'GET', url: '/multipart' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code: 'BAD_REQUEST', message: 'The multipart body needs a file field named "file"' },
    });
  });

  it("answers the router's own refusals (bad %-escape, overlong id) in the error shape, without the path", async () => {
    app = buildApp({ config, logger: createLogger({ destination: new LogSink() }) });
    const cases: Array<[string, number, string]> = [
      ['/v1/videos/%zz-evil', 400, 'BAD_REQUEST'],
      ['/v1/videos/%ff-evil', 400, 'BAD_REQUEST'],
      [`/v1/videos/evil${'a'.repeat(200)}`, 414, 'URI_TOO_LONG'],
    ];
    for (const [url, status, code] of cases) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(status);
      expect(res.json<{ error: { code: string } }>().error.code, url).toBe(code);
      expect(res.body, url).not.toContain('evil');
    }
  });

  it('answers unknown routes with 404 JSON', async () => {
    app = buildApp({ config, logger: createLogger({ destination: new LogSink() }) });
    const res = await app.inject({ method: 'PUT', url: '/v1/videos?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'ROUTE_NOT_FOUND', message: 'Route PUT /v1/videos not found' },
    });
  });
});
