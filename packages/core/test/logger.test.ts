import { describe, expect, it } from 'vitest';
import { LogSink } from '@vidqueue/testkit';
import { createLogger } from '../src/runtime/logger.js';
import { formatFailure, parseFailure, FailureCode } from '../src/contract/failure.js';
import { redactUrl } from '../src/runtime/redact.js';

describe('createLogger', () => {
  it('censors secrets by key path at any depth we use', () => {
    const sink = new LogSink();
    const log = createLogger({ destination: sink, level: 'info' });
    log.info(
      {
        apiKey: 'sk-top-secret-1',
        config: {
          AIMLAPI_KEY: 'sk-top-secret-2',
          DASHBOARD_PASSWORD: 'pw-secret-3',
          REDIS_URL: 'redis://:pw@h',
        },
        req: { headers: { authorization: 'Bearer tok-secret-4' } },
        jobId: 'vid_1',
      },
      'hello',
    );
    const text = sink.text();
    for (const s of ['sk-top-secret-1', 'sk-top-secret-2', 'pw-secret-3', 'redis://:pw@h', 'tok-secret-4']) {
      expect(text).not.toContain(s);
    }
    expect(sink.lines[0]).toMatchObject({ msg: 'hello', jobId: 'vid_1', apiKey: '[redacted]' });
  });
});

describe('failure reasons', () => {
  it('round-trips a code and message through the failedReason string', () => {
    const reason = formatFailure(FailureCode.DeadlineExceeded, 'generation abc: did not finish');
    expect(parseFailure(reason)).toEqual({
      code: 'deadline_exceeded',
      message: 'generation abc: did not finish',
    });
  });

  it('treats anything else as an internal error with its text', () => {
    expect(parseFailure('boom: x')).toEqual({ code: 'internal_error', message: 'boom: x' });
    expect(parseFailure(undefined)).toEqual({ code: 'internal_error', message: 'unknown failure' });
  });
});

describe('redactUrl', () => {
  it('hides credentials in a Redis URL', () => {
    expect(redactUrl('redis://user:pw@example.com:6380/2')).toBe('redis://***@example.com:6380/2');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
