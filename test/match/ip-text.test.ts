import { describe, expect, it } from 'vitest';
import { protoName } from '../../src/match/ip-text.js';
import { protoNumber } from '../../src/logs/record.js';

describe('protoName', () => {
  it('names protocols as Suricata 7 writes them in EVE (its own IANA table), else the number', () => {
    expect([0, 1, 4, 6, 17, 44, 47, 50, 51, 58, 89, 132, 143].map(protoName)).toEqual([
      'HOPOPT', 'ICMP', 'IP-in-IP', 'TCP', 'UDP', 'IPv6-Frag', 'GRE', 'ESP', 'AH', 'IPv6-ICMP', 'OSPF', 'SCTP', 'Ethernet',
    ]);
    expect(protoName(144)).toBe('144');
    expect(protoName(253)).toBe('253');
  });
});

describe('protocol names read back from logs and EVE', () => {
  it('give the number of every protocol kanshi decodes, in the names of Suricata 7 and of older versions', () => {
    for (const n of [1, 2, 4, 6, 17, 41, 44, 47, 50, 51, 58, 89, 103, 112, 132]) expect(protoNumber(protoName(n)), protoName(n)).toBe(n);
    expect(['IPSEC-ESP', 'IPSEC-AH', 'OSPFIGP', 'IP-ENCAP'].map(protoNumber)).toEqual([50, 51, 89, 4]);
  });
});
