import { describe, expect, it } from 'vitest';
import { udpPacket } from '../../src/traffic/index.js';
import { scanPackets, sids } from './helpers.js';

const pkt = (payload: string, tsUs = 1): ReturnType<typeof udpPacket> => udpPacket({ src: '10.0.0.1:1024', dst: '10.0.0.2:53', payload, tsUs });

describe('rule evaluation order (Suricata detect-engine-sigorder.c)', () => {
  it('gives the same verdict whatever order the rules come in: among equals, the lower sid runs first', async () => {
    // Two rules that each fire only where the other has not set the bit yet, as ET's
    // ET.http.binary pairs do: only the lower sid alerts.
    const a = 'alert udp any any -> any any (msg:"a"; content:"MZ"; flowbits:isnotset,bin; flowbits:set,bin; sid:2026537;)';
    const b = 'alert udp any any -> any any (msg:"b"; content:"MZ"; flowbits:isnotset,bin; flowbits:set,bin; sid:2018959;)';
    expect(sids(await scanPackets(`${a}\n${b}`, [pkt('MZ')]))).toEqual([2018959]);
    expect(sids(await scanPackets(`${b}\n${a}`, [pkt('MZ')]))).toEqual([2018959]);
  });

  it('runs lower priority numbers first, and alerts in that order', async () => {
    const rules = [
      'alert udp any any -> any any (msg:"late"; content:"x"; priority:3; sid:1;)',
      'alert udp any any -> any any (msg:"early"; content:"x"; priority:1; sid:2;)',
      'alert udp any any -> any any (msg:"unset"; content:"x"; flowbits:unset,f; priority:1; sid:3;)',
      'alert udp any any -> any any (msg:"set"; content:"x"; flowbits:set,f; priority:3; sid:4;)',
      'alert udp any any -> any any (msg:"read"; content:"y"; flowbits:isset,f; sid:5;)',
    ].join('\n');
    // Setters (3, 4) before the others; among the setters, priority 1 (unset) before 3 (set): f ends set.
    expect(sids(await scanPackets(rules, [pkt('x'), pkt('y', 2)]))).toEqual([3, 4, 2, 1, 5]);
  });

  it('runs flowint and xbits changes before the rules that read them', async () => {
    const rules = [
      'alert udp any any -> any any (msg:"reads n"; flowint:n,isset; sid:1;)',
      'alert udp any any -> any any (msg:"sets n"; flowint:n,=,1; sid:2;)',
      'alert udp any any -> any any (msg:"reads x"; xbits:isset,x,track ip_pair; sid:3;)',
      'alert udp any any -> any any (msg:"sets x"; xbits:set,x,track ip_pair; sid:4;)',
    ].join('\n');
    // flowint roles are compared before xbits roles: the flowint reader still precedes the xbits setter.
    expect(sids(await scanPackets(rules, [pkt('a')]))).toEqual([2, 1, 4, 3]);
  });
});
