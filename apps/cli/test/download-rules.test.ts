import { describe, expect, it } from 'vitest';
import { parseByteSize, videoAddressPolicy, videoFileName } from '../src/download.js';

describe('videoFileName', () => {
  it('is <row>-<custom_id>.mp4, or <row>.mp4 without an id, so rows never share a name', () => {
    const names = [
      { row: 1, custom_id: 'a b' },
      { row: 2, custom_id: 'a_b' },
      { row: 3, custom_id: null },
      { row: 4, custom_id: '3' },
      { row: 5, custom_id: '../../etc/passwd' },
      { row: 6, custom_id: 'con' },
      { row: 7, custom_id: 'été 夕焼け' },
      { row: 8, custom_id: '' },
    ].map(videoFileName);
    expect(names).toEqual([
      '1-a_b.mp4',
      '2-a_b.mp4',
      '3.mp4',
      '4-3.mp4',
      '5-.._.._etc_passwd.mp4',
      '6-con.mp4',
      '7-été_夕焼け.mp4',
      '8.mp4',
    ]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('cuts a long id at a character boundary and adds a hash of the whole id, well under 255 bytes', () => {
    const a = videoFileName({ row: 99_999, custom_id: `${'ビデオ'.repeat(85)}x` });
    const b = videoFileName({ row: 99_999, custom_id: `${'ビデオ'.repeat(85)}y` });
    for (const name of [a, b]) {
      expect(name).toMatch(/^99999-(ビデオ)+(ビ|ビデ)?~[0-9a-f]{10}\.mp4$/);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(100);
    }
    expect(a).not.toBe(b);
    expect(videoFileName({ row: 1, custom_id: 'x'.repeat(80) })).toBe(`1-${'x'.repeat(80)}.mp4`);
    expect(videoFileName({ row: 1, custom_id: 'x'.repeat(81) })).toMatch(/^1-x{69}~[0-9a-f]{10}\.mp4$/);
  });
});

describe('parseByteSize', () => {
  it('reads bytes and binary K/M/G', () => {
    expect(['4096', '4K', '4k', '4KiB', '500M', '2G', '2gb'].map(parseByteSize)).toEqual([
      4096,
      4096,
      4096,
      4096,
      500 * 1024 ** 2,
      2 * 1024 ** 3,
      2 * 1024 ** 3,
    ]);
    expect(['0', '-1', 'lots', '1.5G', ''].map(parseByteSize)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('videoAddressPolicy', () => {
  const resolveTo =
    (...addresses: string[]) =>
    () =>
      Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));

  it('an API on this machine lets videos come from this machine only', async () => {
    expect(await videoAddressPolicy('http://127.0.0.1:3000', false)).toEqual({ allowRanges: ['loopback'] });
    expect(await videoAddressPolicy('http://[::1]:3000', false)).toEqual({ allowRanges: ['loopback'] });
    expect(await videoAddressPolicy('http://localhost:3000', false, resolveTo('::1', '127.0.0.1'))).toEqual({
      allowRanges: ['loopback'],
    });
  });

  it('an API on a private network lets videos come from that kind of network', async () => {
    expect(await videoAddressPolicy('http://10.1.2.3:3000', false)).toEqual({ allowRanges: ['private'] });
    expect(await videoAddressPolicy('http://api.internal', false, resolveTo('fd00::5'))).toEqual({
      allowRanges: ['uniqueLocal'],
    });
  });

  it('a public API, a link-local one, or one whose name does not resolve allows nothing but public hosts', async () => {
    expect(await videoAddressPolicy('https://vidq.example.com', false, resolveTo('93.184.216.34'))).toEqual(
      {},
    );
    expect(
      await videoAddressPolicy('https://vidq.example.com', false, resolveTo('93.184.216.34', '10.0.0.1')),
    ).toEqual({});
    expect(await videoAddressPolicy('http://169.254.10.10', false)).toEqual({});
    const fails = () => Promise.reject(new Error('ENOTFOUND'));
    expect(await videoAddressPolicy('https://nowhere.example', false, fails)).toEqual({});
  });

  it('--allow-private-addresses allows everything', async () => {
    expect(await videoAddressPolicy('https://vidq.example.com', true)).toEqual({ allowPrivate: true });
  });
});
