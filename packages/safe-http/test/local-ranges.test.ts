import { describe, expect, it } from 'vitest';
import { localRangesOf, type Resolve } from '../src/index.js';

const answers =
  (...addresses: string[]): Resolve =>
  () =>
    Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));

describe('localRangesOf: the ranges a trusted local service shares with the hosts it names', () => {
  it('allows the ranges of a loopback, private or IPv6 literal host, and only those', async () => {
    expect(await localRangesOf('http://127.0.0.1:3000')).toEqual({ allowRanges: ['loopback'] });
    expect(await localRangesOf('http://[::1]:3000/v1')).toEqual({ allowRanges: ['loopback'] });
    expect(await localRangesOf('http://10.1.2.3')).toEqual({ allowRanges: ['private'] });
    expect(await localRangesOf('http://api:3000', answers('172.18.0.4', 'fd00::4'))).toEqual({
      allowRanges: ['private', 'uniqueLocal'],
    });
  });

  it('allows nothing for a public host, a mix, link-local, or a name that does not resolve', async () => {
    expect(await localRangesOf('https://api.aimlapi.com', answers('104.18.2.3'))).toEqual({});
    expect(await localRangesOf('http://mixed', answers('127.0.0.1', '104.18.2.3'))).toEqual({});
    expect(await localRangesOf('http://169.254.169.254')).toEqual({});
    const fails: Resolve = () => Promise.reject(new Error('ENOTFOUND'));
    expect(await localRangesOf('http://nowhere.invalid', fails)).toEqual({});
  });
});
