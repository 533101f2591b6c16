import { describe, expect, it } from 'vitest';
import { protoName } from '../../src/match/ip-text.js';

describe('protoName', () => {
  it('names protocols as Suricata writes them in EVE (the /etc/protocols aliases), else the number', () => {
    expect([1, 6, 17, 44, 58, 132].map(protoName)).toEqual(['ICMP', 'TCP', 'UDP', 'IPv6-Frag', 'IPv6-ICMP', 'SCTP']);
    expect(protoName(253)).toBe('253');
  });
});
