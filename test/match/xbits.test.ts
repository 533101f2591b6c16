/** xbits: bits kept per host or address pair, across flows and log records, until they expire. */
import { describe, expect, it } from 'vitest';
import { XbitsStore } from '../../src/match/xbits.js';
import type { XbitsValue } from '../../src/options/non-payload/xbits.js';
import { udpPacket } from '../../src/traffic/index.js';
import { scanLogLines, scanPackets, sids } from './helpers.js';

const udp = (src: string, dst: string, payload: string, s: number) => udpPacket({ src, dst, payload, tsUs: 1_000_000 + s * 1_000_000 });

describe('xbits', () => {
  it('link flows of one host: set by the source, checked as source or destination, silent with noalert', async () => {
    const rules = [
      'alert udp any any -> any any (msg:"set"; content:"SET"; xbits:set,seen,track ip_src,expire 60; xbits:noalert; sid:1;)',
      'alert udp any any -> any any (msg:"src has it"; content:"CHK"; xbits:isset,seen,track ip_src; sid:2;)',
      'alert udp any any -> any any (msg:"dst has it"; content:"CHK"; xbits:isset,seen,track ip_dst; sid:3;)',
      'alert udp any any -> any any (msg:"src lacks it"; content:"CHK"; xbits:isnotset,seen,track ip_src; sid:4;)',
    ].join('\n');
    const got = sids(await scanPackets(rules, [
      udp('10.0.0.1:1000', '10.0.0.9:53', 'CHK', 0),
      udp('10.0.0.1:1001', '10.0.0.8:53', 'SET', 1),
      // Another flow, same source host.
      udp('10.0.0.1:2000', '10.0.0.7:99', 'CHK', 2),
      // Answer towards the host.
      udp('10.0.0.7:99', '10.0.0.1:2000', 'CHK', 3),
      udp('10.0.0.5:2000', '10.0.0.7:99', 'CHK', 4),
    ]));
    expect(got).toEqual([4, 2, 3, 4, 4]);
  });

  it('expire in packet time (30 s without expire), and unset and toggle them', async () => {
    const rules = [
      'alert udp any any -> any any (msg:"set"; content:"SET"; xbits:set,b,track ip_src,expire 10; xbits:noalert; sid:1;)',
      'alert udp any any -> any any (msg:"set default"; content:"DEF"; xbits:set,b,track ip_src; xbits:noalert; sid:5;)',
      'alert udp any any -> any any (msg:"unset"; content:"OFF"; xbits:unset,b,track ip_src; xbits:noalert; sid:6;)',
      'alert udp any any -> any any (msg:"toggle"; content:"TGL"; xbits:toggle,b,track ip_src; xbits:noalert; sid:7;)',
      'alert udp any any -> any any (msg:"has it"; content:"CHK"; xbits:isset,b,track ip_src; sid:2;)',
    ].join('\n');
    const h = '10.0.0.1:1000';
    const d = '10.0.0.2:53';
    expect(sids(await scanPackets(rules, [udp(h, d, 'SET', 0), udp(h, d, 'CHK', 10), udp(h, d, 'CHK', 11)]))).toEqual([2]);
    expect(sids(await scanPackets(rules, [udp(h, d, 'DEF', 0), udp(h, d, 'CHK', 30), udp(h, d, 'CHK', 31)]))).toEqual([2]);
    expect(sids(await scanPackets(rules, [udp(h, d, 'SET', 0), udp(h, d, 'OFF', 1), udp(h, d, 'CHK', 2)]))).toEqual([]);
    expect(sids(await scanPackets(rules, [udp(h, d, 'TGL', 0), udp(h, d, 'CHK', 1), udp(h, d, 'TGL', 2), udp(h, d, 'CHK', 3)]))).toEqual([2]);
  });

  it('track ip_pair: one pair of addresses, whichever way the packet goes', async () => {
    const rules = [
      'alert udp any any -> any any (msg:"set"; content:"SET"; xbits:set,p,track ip_pair; xbits:noalert; sid:1;)',
      'alert udp any any -> any any (msg:"pair has it"; content:"CHK"; xbits:isset,p,track ip_pair; sid:2;)',
    ].join('\n');
    const got = await scanPackets(rules, [udp('10.0.0.1:1', '10.0.0.2:2', 'SET', 0), udp('10.0.0.2:5', '10.0.0.1:6', 'CHK', 1), udp('10.0.0.1:5', '10.0.0.3:6', 'CHK', 2)]);
    expect(got.map((a) => [a.sid, a.srcIp])).toEqual([[2, '10.0.0.2']]);
  });

  it('work on log records: a probe in one line, the follow-up in a later one', async () => {
    const rules = [
      'alert http any any -> any any (msg:"probe"; http.uri; content:"/probe"; xbits:set,probed,track ip_src,expire 300; xbits:noalert; sid:1;)',
      'alert http any any -> any any (msg:"exploit after probe"; http.uri; content:"/exploit"; xbits:isset,probed,track ip_src; sid:2;)',
    ].join('\n');
    const alerts = await scanLogLines(rules, [
      '192.0.2.7 - - [17/Mar/2003:10:00:00 +0000] "GET /exploit HTTP/1.0" 404 0 "-" "-"',
      '192.0.2.7 - - [17/Mar/2003:10:00:01 +0000] "GET /probe HTTP/1.0" 404 0 "-" "-"',
      '192.0.2.8 - - [17/Mar/2003:10:00:02 +0000] "GET /exploit HTTP/1.0" 404 0 "-" "-"',
      '192.0.2.7 - - [17/Mar/2003:10:00:03 +0000] "GET /exploit HTTP/1.0" 404 0 "-" "-"',
    ]);
    expect(alerts.map((a) => [a.sid, a.srcIp, a.log?.line])).toEqual([[2, '192.0.2.7', 4]]);
  });

  it('keep a bounded number of hosts, dropping the oldest', () => {
    const store = new XbitsStore(2);
    const set: XbitsValue[] = [{ cmd: 'set', name: 'x', track: 'ip_src' }];
    const isset: XbitsValue[] = [{ cmd: 'isset', name: 'x', track: 'ip_src' }];
    const ip = (n: number) => Uint8Array.of(10, 0, 0, n);
    for (let n = 1; n <= 3; n++) store.apply(set, ip(n), ip(9), 0);
    expect(store.size).toBe(2);
    expect(store.evictions).toBe(1);
    expect(store.checksHold(isset, ip(1), ip(9), 1)).toBe(false);
    expect(store.checksHold(isset, ip(3), ip(9), 1)).toBe(true);
    // A record without addresses has no host to keep a bit on.
    expect(store.checksHold(isset, new Uint8Array(0), ip(9), 1)).toBe(false);
  });

  it('count a dropped host as evicted only if one of its bits had not expired', () => {
    const store = new XbitsStore(1);
    const set = (expire: number): XbitsValue[] => [{ cmd: 'set', name: 'x', track: 'ip_src', expire }];
    const ip = (n: number) => Uint8Array.of(10, 0, 0, n);
    store.apply(set(10), ip(1), ip(9), 0);
    store.apply(set(10), ip(2), ip(9), 10_000_000); // ip(1)'s bit lasts until 10 s inclusive
    expect(store.evictions).toBe(1);
    store.apply(set(10), ip(3), ip(9), 20_000_001); // ip(2)'s bit ran out at 20 s
    expect(store.evictions).toBe(1);
    expect(store.size).toBe(1);
  });
});
