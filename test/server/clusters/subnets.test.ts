import { describe, expect, it } from 'vitest';
import { type Cidr, capacity, firstHost, formatCidr, freeSubnet, overlaps, parseCidr, parseRouteTable } from '../../../server/clusters/subnets.js';

const c = parseCidr;

describe('parseCidr', () => {
  it('reads a range and masks its base to the prefix', () => {
    expect(formatCidr(c('172.16.0.0/16'))).toBe('172.16.0.0/16');
    expect(formatCidr(c('10.1.2.3/24'))).toBe('10.1.2.0/24');
    expect(formatCidr(c('255.255.255.255/32'))).toBe('255.255.255.255/32');
  });

  it.each(['172.16.0.0', '172.16.0.0/33', '256.0.0.0/8', 'fd00::/64', ''])('refuses %j with an example of the form', (text) => {
    expect(() => c(text)).toThrow(/is not an IPv4 range; write it as address\/prefix, e\.g\. 172\.16\.0\.0\/16/);
  });
});

describe('freeSubnet', () => {
  it('takes the first /24 of the pool when nothing is used', () => {
    expect(formatCidr(freeSubnet(c('172.16.0.0/16'), []) ?? c('0.0.0.0/0'))).toBe('172.16.0.0/24');
  });

  it('skips /24s that Docker networks or routes overlap, whatever their size', () => {
    const used = [c('172.16.0.0/24'), c('172.16.1.128/28'), c('172.16.2.0/23'), c('172.17.0.0/16')];
    expect(formatCidr(freeSubnet(c('172.16.0.0/16'), used) ?? c('0.0.0.0/0'))).toBe('172.16.4.0/24');
  });

  it('skips past a range larger than the pool and says the pool is full', () => {
    expect(freeSubnet(c('172.16.0.0/16'), [c('172.16.0.0/12')])).toBeUndefined();
    expect(freeSubnet(c('10.0.0.0/24'), [c('10.0.0.0/24')])).toBeUndefined();
    expect(freeSubnet(c('10.0.0.0/25'), [])).toBeUndefined(); // smaller than one network
  });

  it('hands out every /24 of a pool once, and no more', () => {
    const pool = c('10.210.0.0/22');
    const taken: Cidr[] = [];
    for (let s = freeSubnet(pool, taken); s; s = freeSubnet(pool, taken)) taken.push(s);
    expect(taken.map(formatCidr)).toEqual(['10.210.0.0/24', '10.210.1.0/24', '10.210.2.0/24', '10.210.3.0/24']);
    expect(capacity(pool)).toBe(4);
  });
});

describe('firstHost', () => {
  it('is the address after the base, where Docker puts the gateway', () => {
    expect(firstHost(c('172.16.3.0/24'))).toBe('172.16.3.1');
  });
});

describe('overlaps', () => {
  it('is true for nested and shared ranges, false for neighbours', () => {
    expect(overlaps(c('10.0.0.0/8'), c('10.1.0.0/16'))).toBe(true);
    expect(overlaps(c('10.1.0.0/16'), c('10.0.0.0/8'))).toBe(true);
    expect(overlaps(c('10.0.0.0/24'), c('10.0.1.0/24'))).toBe(false);
  });
});

describe('parseRouteTable', () => {
  it('reads /proc/net/route, leaving out the default route', () => {
    const table = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
      'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
      'wg0\t0010A8C0\t00000000\t0001\t0\t0\t0\t00F0FFFF\t0\t0\t0',
      '',
    ].join('\n');
    expect(parseRouteTable(table).map(formatCidr)).toEqual(['172.17.0.0/16', '192.168.16.0/20']);
  });
});
