import { describe, expect, it } from 'vitest';
import { classifyAddress, refusedAddress } from '../src/index.js';

describe('classifyAddress', () => {
  it.each([
    ['93.184.216.34', 'unicast'],
    ['2606:2800:220:1:248:1893:25c8:1946', 'unicast'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    // IPv6 forms that reach an IPv4 address are judged by that address.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:0:10.0.0.1', 'private'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['::ffff:8.8.8.8', 'unicast'],
    // The deprecated IPv4-compatible form: ipaddr.js reads the dotted spelling as mapped, the hex one as unicast.
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'ipv4Compatible'],
    ['::808:808', 'ipv4Compatible'],
  ])('%s is %s', (ip, range) => {
    expect(classifyAddress(ip)).toMatchObject({ range, public: range === 'unicast' });
  });

  it('answers undefined for a name', () => {
    expect(classifyAddress('localhost')).toBeUndefined();
    expect(classifyAddress('cdn.example.com')).toBeUndefined();
  });
});

describe('refusedAddress', () => {
  it('lets public addresses through and refuses the rest by default', () => {
    expect(refusedAddress('93.184.216.34', {})).toBeUndefined();
    expect(refusedAddress('127.0.0.1', {})).toMatchObject({ range: 'loopback' });
    expect(refusedAddress('not-an-ip', {})).toMatchObject({ public: false });
  });

  it('allowPrivate lets everything through; allowRanges only the ranges named', () => {
    expect(refusedAddress('169.254.169.254', { allowPrivate: true })).toBeUndefined();
    const loopbackOnly = { allowRanges: ['loopback'] } as const;
    expect(refusedAddress('127.0.0.1', loopbackOnly)).toBeUndefined();
    expect(refusedAddress('::ffff:127.0.0.1', loopbackOnly)).toBeUndefined();
    expect(refusedAddress('::1', loopbackOnly)).toBeUndefined();
    expect(refusedAddress('10.0.0.1', loopbackOnly)).toMatchObject({ range: 'private' });
    expect(refusedAddress('169.254.169.254', loopbackOnly)).toMatchObject({ range: 'linkLocal' });
    expect(refusedAddress('0.0.0.0', loopbackOnly)).toMatchObject({ range: 'unspecified' });
  });
});
