import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/runtime/config.js';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.HOST).toBe('127.0.0.1');
    expect(c.DEFAULT_MODEL).toBe('sber-ai/kandinsky5-distill-t2v');
    expect(c.LOG_PRETTY).toBe(false);
  });

  it('parses token lists and booleans as written', () => {
    const c = loadConfig({ API_TOKENS: ' a1 , b2,,', LOG_PRETTY: 'false' });
    expect(c.API_TOKENS).toEqual(['a1', 'b2']);
    expect(c.LOG_PRETTY).toBe(false);
  });

  it('names the bad variable and never echoes a secret value', () => {
    const secret = 'redis://:hunter2-secret@';
    let error: unknown;
    try {
      loadConfig({ REDIS_URL: secret, PORT: 'eighty', DASHBOARD_PASSWORD: 'short' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('REDIS_URL');
    expect(message).toContain('PORT');
    expect(message).toContain('DASHBOARD_PASSWORD');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('short');
  });
});

describe('AIMLAPI_BASE_URL', () => {
  it('takes the base with or without a trailing /, /v1 or /v2', () => {
    for (const raw of [
      'https://api.aimlapi.com',
      'https://api.aimlapi.com/',
      'https://api.aimlapi.com/v1',
      'https://api.aimlapi.com/v2/',
    ]) {
      expect(loadConfig({ AIMLAPI_BASE_URL: raw }).AIMLAPI_BASE_URL, raw).toBe('https://api.aimlapi.com');
    }
    expect(loadConfig({}).AIMLAPI_BASE_URL).toBe('https://api.aimlapi.com');
  });

  it('refuses to start on an endpoint URL or a bad URL, naming the variable', () => {
    for (const raw of [
      'https://api.aimlapi.com/v2/video/generations',
      'ftp://api.aimlapi.com',
      'api.aimlapi.com',
    ]) {
      expect(() => loadConfig({ AIMLAPI_BASE_URL: raw }), raw).toThrow(/AIMLAPI_BASE_URL/);
    }
  });
});
