import { afterEach, describe, expect, it } from 'vitest';
import { SafeHttpError, safeFetch, type SafeFetchOptions } from '../src/index.js';
import { readAll, startServer, type TestServer } from './servers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}

/** The SafeHttpError a promise rejects with (fails the test when it resolves). */
async function refusal(promise: Promise<unknown>): Promise<SafeHttpError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SafeHttpError);
  return err as SafeHttpError;
}

const BODY = Buffer.from('0123456789'.repeat(100));
const LOCAL: SafeFetchOptions = { allowPrivate: true };

describe('safeFetch: answers', () => {
  it('streams a 200 body with its length, host and no redirects', async () => {
    const s = await server((_req, res) => res.writeHead(200, { 'content-length': BODY.length }).end(BODY));
    const res = await safeFetch(`${s.origin}/v.mp4?token=abc`, LOCAL);
    expect(res).toMatchObject({
      status: 200,
      contentLength: 1000,
      redirects: 0,
      host: `127.0.0.1:${s.port}`,
    });
    expect(await readAll(res.body)).toEqual(BODY);
    expect(s.requests[0]!.headers['accept-encoding']).toBe('identity');
  });

  it('HEAD gives the length and an empty body', async () => {
    const s = await server((_req, res) => res.writeHead(200, { 'content-length': BODY.length }).end());
    const res = await safeFetch(`${s.origin}/v.mp4`, { ...LOCAL, method: 'HEAD' });
    expect(res.contentLength).toBe(1000);
    expect((await readAll(res.body)).length).toBe(0);
    expect(s.requests[0]!.method).toBe('HEAD');
  });

  it('a non-2xx answer is http_status with the status; the message names the host, never the query', async () => {
    const s = await server((_req, res) => res.writeHead(403).end('denied'));
    const err = await refusal(safeFetch(`${s.origin}/v.mp4?X-Amz-Signature=s3cr3t`, LOCAL));
    expect(err).toMatchObject({ code: 'http_status', status: 403, host: `127.0.0.1:${s.port}` });
    expect(err.message).toBe(`127.0.0.1:${s.port} answered 403`);
  });

  it('a refused connection is network', async () => {
    const s = await server(() => undefined);
    const url = `${s.origin}/v.mp4`;
    await s.close();
    servers.pop();
    const err = await refusal(safeFetch(url, LOCAL));
    expect(err).toMatchObject({ code: 'network' });
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('refuses anything but http(s) and URLs that do not parse', async () => {
    expect(await refusal(safeFetch('file:///etc/passwd', LOCAL))).toMatchObject({ code: 'bad_protocol' });
    expect(await refusal(safeFetch('ftp://127.0.0.1/x', LOCAL))).toMatchObject({ code: 'bad_protocol' });
    expect(await refusal(safeFetch('not a url', LOCAL))).toMatchObject({ code: 'bad_url' });
  });
});

describe('safeFetch: redirects', () => {
  it('follows up to 3 redirects by default, relative ones resolved against the hop', async () => {
    const s = await server((req, res) => {
      const to: Record<string, string> = {
        '/a/start?sig=1': 'next', // relative to /a/ → /a/next
        '/a/next': '../b/again', // → /b/again
        '/b/again': '/final',
      };
      const location = to[req.url!];
      if (location) res.writeHead(302, { location }).end();
      else res.writeHead(200, { 'content-length': 2 }).end('ok');
    });
    const res = await safeFetch(`${s.origin}/a/start?sig=1`, LOCAL);
    expect(res.redirects).toBe(3);
    expect((await readAll(res.body)).toString()).toBe('ok');
    expect(s.requests.map((r) => r.url)).toEqual(['/a/start?sig=1', '/a/next', '/b/again', '/final']);
  });

  it('a fourth redirect is too_many_redirects; maxRedirects 0 refuses the first', async () => {
    const s = await server((req, res) => {
      const n = Number(req.url!.slice(1));
      res.writeHead(307, { location: `/${n + 1}` }).end();
    });
    const err = await refusal(safeFetch(`${s.origin}/0`, LOCAL));
    expect(err.code).toBe('too_many_redirects');
    expect(s.requests.map((r) => r.url)).toEqual(['/0', '/1', '/2', '/3']);
    expect(await refusal(safeFetch(`${s.origin}/0`, { ...LOCAL, maxRedirects: 0 }))).toMatchObject({
      code: 'too_many_redirects',
    });
  });

  it('a redirect to a private or metadata address is refused before connecting (allowPrivate false)', async () => {
    const targets = [
      'http://169.254.169.254/latest/meta-data/iam?token=s3cr3t',
      'http://10.0.0.7/',
      'http://[::ffff:10.0.0.7]/',
      'http://[fd00::1]/',
    ];
    const s = await server((req, res) => {
      res.writeHead(302, { location: targets[Number(req.url!.slice(1))] }).end();
    });
    // The first hop is this test's server on loopback, allowed by name; the allowPrivate flag stays false.
    const onlyLoopback: SafeFetchOptions = { allowRanges: ['loopback'] };
    const ranges = [];
    for (const [i] of targets.entries()) {
      const err = await refusal(safeFetch(`${s.origin}/${i}`, onlyLoopback));
      expect(err.code).toBe('blocked_address');
      expect(err.message).toContain(`; the redirect came from 127.0.0.1:${s.port}`);
      expect(err.message).not.toContain('s3cr3t');
      expect(err.message).not.toContain('meta-data');
      ranges.push(err.range);
    }
    expect(ranges).toEqual(['linkLocal', 'private', 'private', 'uniqueLocal']);
  });

  it('a redirect to a name that resolves to a private address is refused when connecting', async () => {
    const s = await server((_req, res) =>
      res.writeHead(302, { location: 'http://storage.internal/v.mp4' }).end(),
    );
    const lookups: string[] = [];
    const err = await refusal(
      safeFetch(`${s.origin}/v.mp4`, {
        allowRanges: ['loopback'],
        lookup: (host) => {
          lookups.push(host);
          return Promise.resolve([{ address: '10.20.30.40', family: 4 }]);
        },
      }),
    );
    expect(err).toMatchObject({ code: 'blocked_address', address: '10.20.30.40', range: 'private' });
    expect(err.message).toBe('storage.internal (10.20.30.40) is not a public address (private)');
    expect(lookups).toEqual(['storage.internal']);
  });

  it('a redirect to file: is bad_protocol', async () => {
    const s = await server((_req, res) => res.writeHead(301, { location: 'file:///etc/passwd' }).end());
    expect(await refusal(safeFetch(s.origin, LOCAL))).toMatchObject({ code: 'bad_protocol' });
  });

  it('drops credentials on a redirect to another origin, keeps them on the same origin', async () => {
    const other = await server((_req, res) => res.writeHead(200, { 'content-length': 0 }).end());
    const s = await server((req, res) => {
      if (req.url === '/same') res.writeHead(302, { location: '/cross' }).end();
      else res.writeHead(302, { location: `${other.origin}/v.mp4` }).end();
    });
    const res = await safeFetch(`${s.origin}/same`, { ...LOCAL, headers: { authorization: 'Bearer t' } });
    await readAll(res.body);
    expect(s.requests.map((r) => r.headers.authorization)).toEqual(['Bearer t', 'Bearer t']);
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('safeFetch: limits', () => {
  it('a Content-Length over the cap is too_large before the body is read', async () => {
    const s = await server((_req, res) => res.writeHead(200, { 'content-length': BODY.length }).end(BODY));
    const err = await refusal(safeFetch(s.origin, { ...LOCAL, maxBytes: 999 }));
    expect(err).toMatchObject({ code: 'too_large' });
    expect(err.message).toBe(`127.0.0.1:${s.port} announces 1000 bytes, over the 999-byte limit`);
  });

  it('a chunked body without a length fails with too_large once past the cap, and the transfer stops', async () => {
    let closed = false;
    const s = await server((req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' }); // no length: chunked
      const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024)), 5);
      req.socket.on('close', () => {
        clearInterval(timer);
        closed = true;
      });
    });
    const res = await safeFetch(s.origin, { ...LOCAL, maxBytes: 100_000 });
    expect(res.contentLength).toBeUndefined();
    let received = 0;
    const err = await refusal(
      (async () => {
        for await (const chunk of res.body) received += (chunk as Buffer).length;
      })(),
    );
    expect(err).toMatchObject({ code: 'too_large' });
    expect(received).toBeLessThanOrEqual(100_000);
    await expect.poll(() => closed).toBe(true);
  });

  it('the time limit covers the whole transfer: a stalled body fails with timeout', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(10)); // then nothing
    });
    const res = await safeFetch(s.origin, { ...LOCAL, timeoutMs: 300 });
    const err = await refusal(readAll(res.body));
    expect(err).toMatchObject({ code: 'timeout' });
    expect(err.message).toBe(`127.0.0.1:${s.port} took longer than 300 ms`);
  });

  it('an answer that never comes is timeout, across redirects', async () => {
    const s = await server((req, res) => {
      if (req.url === '/') res.writeHead(302, { location: '/slow' }).end();
      // /slow: never answered
    });
    const started = Date.now();
    expect(await refusal(safeFetch(s.origin, { ...LOCAL, timeoutMs: 300 }))).toMatchObject({
      code: 'timeout',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a body cut short of its Content-Length fails with network', async () => {
    const s = await server((req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(10), () => req.socket.destroy());
    });
    const res = await safeFetch(s.origin, LOCAL);
    expect(await refusal(readAll(res.body))).toMatchObject({ code: 'network' });
  });
});

describe('safeFetch: addresses (allowPrivate false)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['0.0.0.0', 'unspecified'],
  ])('refuses the literal %s (%s) without connecting', async (host, range) => {
    const s = await server((_req, res) => res.writeHead(200).end());
    const err = await refusal(safeFetch(`http://${host}:${s.port}/v.mp4`));
    expect(err).toMatchObject({ code: 'blocked_address', range });
    expect(s.requests).toHaveLength(0);
  });

  it.each([
    'http://[::1]/',
    'http://10.1.2.3/',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.1.1/',
    'http://[fe80::1]/',
    'http://[fc00::1]/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'http://192.0.2.10/',
    'http://[64:ff9b::a00:1]/',
    'http://0x7f.1/', // the URL parser makes this 127.0.0.1
    'http://2130706433/', // and this
  ])('refuses %s before connecting', async (url) => {
    expect(await refusal(safeFetch(url))).toMatchObject({ code: 'blocked_address' });
  });

  it('refuses localhost when connecting: its DNS answer is loopback', async () => {
    const s = await server((_req, res) => res.writeHead(200).end());
    const err = await refusal(safeFetch(`http://localhost:${s.port}/v.mp4`));
    expect(err).toMatchObject({ code: 'blocked_address', host: 'localhost', range: 'loopback' });
    expect(s.requests).toHaveLength(0);
  });

  it('refuses a public-looking name whose DNS answer is 127.0.0.1 (custom lookup)', async () => {
    const s = await server((_req, res) => res.writeHead(200).end());
    const lookup = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    const err = await refusal(safeFetch(`http://cdn.example.com:${s.port}/v.mp4`, { lookup }));
    expect(err).toMatchObject({ code: 'blocked_address', address: '127.0.0.1', range: 'loopback' });
    expect(err.message).toBe('cdn.example.com (127.0.0.1) is not a public address (loopback)');
    expect(s.requests).toHaveLength(0);
  });

  it('refuses a name with one private answer among public ones', async () => {
    const lookup = () =>
      Promise.resolve([
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ]);
    expect(await refusal(safeFetch('http://cdn.example.com/v.mp4', { lookup }))).toMatchObject({
      code: 'blocked_address',
    });
  });

  it('allowPrivate true reaches the same servers, by literal and by name', async () => {
    const s = await server((_req, res) => res.writeHead(200, { 'content-length': 2 }).end('ok'));
    const lookup = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    for (const url of [
      `${s.origin}/`,
      `http://[::ffff:127.0.0.1]:${s.port}/`,
      `http://localhost:${s.port}/`,
      `http://cdn.example.com:${s.port}/`,
    ]) {
      const res = await safeFetch(url, {
        allowPrivate: true,
        lookup: url.includes('example') ? lookup : undefined,
      });
      expect((await readAll(res.body)).toString()).toBe('ok');
    }
    expect(s.requests).toHaveLength(4);
    expect(s.requests[3]!.headers.host).toBe(`cdn.example.com:${s.port}`);
  });
});

describe('safeFetch: POST (webhook deliveries)', () => {
  it('sends the body with the method; a 307 keeps it, a 303 turns it into a GET without one', async () => {
    const bodies: string[] = [];
    const s = await server((req, res) => {
      void readAll(req).then((body) => {
        bodies.push(body.toString());
        if (req.url === '/keep') res.writeHead(307, { location: '/final' }).end();
        else if (req.url === '/see-other') res.writeHead(303, { location: '/final' }).end();
        else res.writeHead(204).end();
      });
    });
    const headers = { 'content-type': 'application/json' };
    await safeFetch(`${s.origin}/keep`, { ...LOCAL, method: 'POST', body: '{"a":1}', headers });
    expect(s.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
    expect(bodies).toEqual(['{"a":1}', '{"a":1}']);
    await safeFetch(`${s.origin}/see-other`, { ...LOCAL, method: 'POST', body: '{"b":2}', headers });
    expect(s.requests.slice(2).map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(bodies.slice(2)).toEqual(['{"b":2}', '']);
    expect(s.requests[3]!.headers['content-type']).toBeUndefined();
  });
});
