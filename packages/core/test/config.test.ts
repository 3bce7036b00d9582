import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, publicBaseUrl, reconcileHorizonMs } from '../src/runtime/config.js';
import { hashTagOf } from '../src/runtime/redis-topology.js';

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

  it('says a number must be written plainly, not that it "received NaN"', () => {
    let message = '';
    try {
      loadConfig({ GENERATION_DEADLINE_MS: '15m', MAX_UPLOAD_BYTES: '50MB', PORT: '80.5' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('PORT: must be a whole number');
    expect(message).toContain('MAX_UPLOAD_BYTES: must be a plain number (no unit such as ms, s, m or MB)');
    expect(message).toContain(
      'GENERATION_DEADLINE_MS: must be a plain number (no unit such as ms, s, m or MB)',
    );
    expect(message).not.toContain('NaN');
  });
});

describe('archive and webhook settings', () => {
  it('defaults: storage off, retention with the batch, about a day of webhook retries, no secret', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      STORAGE_URL: 'none',
      ARCHIVE_RETENTION: 'batch',
      ARCHIVE_CONCURRENCY: 4,
      WEBHOOK_TIMEOUT_MS: 15_000,
      WEBHOOK_ATTEMPTS: 14,
      WEBHOOK_BACKOFF_MS: 10_000,
      WEBHOOK_ALLOW_PRIVATE: false,
      S3_FORCE_PATH_STYLE: false,
    });
    expect(c.WEBHOOK_SECRET).toBeUndefined();
    // Exponential backoff: the last attempt comes sum(10 s × 2^k, k < 13) ≈ 22.7 h after the first.
    expect((10 * (2 ** 13 - 1)) / 3600).toBeCloseTo(22.75, 1);
    expect(publicBaseUrl(c)).toBe('http://127.0.0.1:3000');
    expect(publicBaseUrl({ ...c, PUBLIC_URL: 'https://v.example.com/' })).toBe('https://v.example.com');
  });

  it('reads several webhook secrets and the event filter; names bad values without echoing secrets', () => {
    const c = loadConfig({
      WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw  whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
      WEBHOOK_EVENTS: 'video.completed, batch.completed',
      STORAGE_URL: 's3://my-bucket/videos',
      S3_FORCE_PATH_STYLE: 'true',
    });
    expect(c.WEBHOOK_SECRET).toHaveLength(2);
    expect(c.WEBHOOK_EVENTS).toEqual(['video.completed', 'batch.completed']);
    expect(c.S3_FORCE_PATH_STYLE).toBe(true);
    let message = '';
    try {
      loadConfig({
        WEBHOOK_SECRET: 'not-a-whsec-topsecret',
        STORAGE_URL: 'ftp://x',
        WEBHOOK_EVENTS: 'video.done',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('WEBHOOK_SECRET: each secret must be whsec_ followed by base64');
    expect(message).toContain('STORAGE_URL: must be none, file:///path or s3://bucket/prefix');
    expect(message).toContain('WEBHOOK_EVENTS');
    expect(message).not.toContain('topsecret');
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

describe('provider fidelity settings', () => {
  it('reconciles unknown outcomes by default, with a horizon past the deadline', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      UNKNOWN_OUTCOME_POLICY: 'reconcile',
      RECONCILE_NOT_FOUND: 'create',
      LOGS_RATE_PER_MIN: 150,
      STATUS_NOT_FOUND_GRACE_MS: 120_000,
      MODEL_BLOCK_MS: 300_000,
    });
    expect(reconcileHorizonMs(c)).toBe(15 * 60_000 + 5 * 60_000);
    expect(reconcileHorizonMs(loadConfig({ GENERATION_DEADLINE_MS: '60000' }))).toBe(60_000 + 300_000);
    expect(reconcileHorizonMs(loadConfig({ RECONCILE_HORIZON_MS: '30000' }))).toBe(30_000);
  });

  it('refuses a reconcile horizon shorter than the provider timeout (it could prove a create absent too soon)', () => {
    expect(() => loadConfig({ RECONCILE_HORIZON_MS: '20000' })).toThrow(
      /RECONCILE_HORIZON_MS: must be at least AIMLAPI_TIMEOUT_MS \(30000\)/,
    );
    expect(
      loadConfig({ RECONCILE_HORIZON_MS: '20000', AIMLAPI_TIMEOUT_MS: '20000' }).RECONCILE_HORIZON_MS,
    ).toBe(20_000);
  });

  it('refuses a WEBHOOK_URL on a private or loopback address unless WEBHOOK_ALLOW_PRIVATE (no delivery could reach it)', () => {
    expect(() => loadConfig({ WEBHOOK_URL: 'http://127.0.0.1:4000/hooks' })).toThrow(
      /WEBHOOK_URL: points at 127\.0\.0\.1, which is not a public address \(loopback\)/,
    );
    expect(() => loadConfig({ WEBHOOK_URL: 'http://localhost:4000/hooks' })).toThrow(
      /WEBHOOK_URL: points at localhost/,
    );
    const open = loadConfig({ WEBHOOK_URL: 'http://127.0.0.1:4000/hooks', WEBHOOK_ALLOW_PRIVATE: 'true' });
    expect(open.WEBHOOK_URL).toBe('http://127.0.0.1:4000/hooks');
    expect(loadConfig({ WEBHOOK_URL: 'https://hooks.example.com/vidq' }).WEBHOOK_URL).toBe(
      'https://hooks.example.com/vidq',
    );
  });

  it('keeps fail and resubmit, and names a bad policy', () => {
    expect(loadConfig({ UNKNOWN_OUTCOME_POLICY: 'fail' }).UNKNOWN_OUTCOME_POLICY).toBe('fail');
    expect(loadConfig({ UNKNOWN_OUTCOME_POLICY: 'resubmit' }).UNKNOWN_OUTCOME_POLICY).toBe('resubmit');
    expect(() => loadConfig({ UNKNOWN_OUTCOME_POLICY: 'pray', RECONCILE_NOT_FOUND: 'maybe' })).toThrow(
      /UNKNOWN_OUTCOME_POLICY[\s\S]*RECONCILE_NOT_FOUND/,
    );
  });
});

describe('job log setting', () => {
  it('keeps only the unusual events by default, everything with JOB_LOG=all, and names a bad value', () => {
    expect(loadConfig({}).JOB_LOG).toBe('events');
    expect(loadConfig({ JOB_LOG: 'all' }).JOB_LOG).toBe('all');
    expect(() => loadConfig({ JOB_LOG: 'verbose' })).toThrow(/JOB_LOG/);
  });
});

describe('Redis Cluster settings', () => {
  it('reads the replica wait (off by default)', () => {
    expect(loadConfig({})).toMatchObject({ REDIS_WAIT_REPLICAS: 0, REDIS_WAIT_TIMEOUT_MS: 1_000 });
    expect(loadConfig({ REDIS_WAIT_REPLICAS: '1' }).REDIS_WAIT_REPLICAS).toBe(1);
    expect(() => loadConfig({ REDIS_WAIT_REPLICAS: '-1' })).toThrow(/REDIS_WAIT_REPLICAS/);
  });

  it('reads seed nodes, and hash-tags the default prefix so that every key lands in one slot', () => {
    const c = loadConfig({ REDIS_CLUSTER_NODES: 'redis-1:6379, 10.0.0.2:7000', REDIS_PASSWORD: 'pw-secret' });
    expect(c.REDIS_CLUSTER_NODES).toEqual(['redis-1:6379', '10.0.0.2:7000']);
    expect(c.QUEUE_PREFIX).toBe('{vidq}');
    expect(loadConfig({}).QUEUE_PREFIX).toBe('vidq');
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'a:1', QUEUE_PREFIX: 'app{jobs}' }).QUEUE_PREFIX).toBe(
      'app{jobs}',
    );
    expect(hashTagOf('{vidq}')).toBe('vidq');
    expect(hashTagOf('a{}b{c}')).toBeUndefined(); // Redis hashes the whole key when the first {} is empty
    expect(hashTagOf('vidq')).toBeUndefined();
  });

  it('refuses a prefix without a hash tag, URL and nodes together, and a malformed node, naming the variable', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'a:1', QUEUE_PREFIX: 'vidq' })).toThrow(
      /QUEUE_PREFIX: must carry a hash tag such as \{vidq\}/,
    );
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'a:1', REDIS_URL: 'redis://:pw-secret@h:1' })).toThrow(
      /REDIS_CLUSTER_NODES: set either REDIS_URL or REDIS_CLUSTER_NODES/,
    );
    let message = '';
    try {
      loadConfig({ REDIS_CLUSTER_NODES: 'redis://:pw-secret@h:1', REDIS_PASSWORD: '' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('REDIS_CLUSTER_NODES: each node must be host:port');
    expect(message).not.toContain('pw-secret');
  });
});

describe('hardening settings', () => {
  it('has safe defaults for timeouts, uploads and the browser guard', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      REQUEST_TIMEOUT_MS: 300_000,
      CONNECTION_TIMEOUT_MS: 60_000,
      UPLOAD_MIN_BYTES_PER_SEC: 4096,
      UPLOAD_RATE_WINDOW_MS: 10_000,
      MAX_CONCURRENT_UPLOADS: 16,
    });
    expect(c.ALLOWED_ORIGINS).toBeUndefined();
    expect(c.ALLOWED_HOSTS).toBeUndefined();
  });

  it('normalises allowed origins and hosts, and refuses what is not one', () => {
    const c = loadConfig({
      ALLOWED_ORIGINS: 'https://Tool.Example, http://localhost:8080',
      ALLOWED_HOSTS: 'Vidq.Internal, [::1]:8080',
    });
    expect(c.ALLOWED_ORIGINS).toEqual(['https://tool.example', 'http://localhost:8080']);
    expect(c.ALLOWED_HOSTS).toEqual(['vidq.internal', '[::1]:8080']);
    for (const bad of [
      'tool.example',
      'https://tool.example/',
      'https://tool.example/path',
      'ftp://x',
      '*',
    ]) {
      expect(() => loadConfig({ ALLOWED_ORIGINS: bad }), bad).toThrow(/ALLOWED_ORIGINS/);
    }
    for (const bad of ['http://x', 'x/y', 'a b']) {
      expect(() => loadConfig({ ALLOWED_HOSTS: bad }), bad).toThrow(/ALLOWED_HOSTS/);
    }
  });
});
