/** icmpv6.mtu: the MTU of ICMPv6 Packet Too Big messages. */
import { describe, expect, it } from 'vitest';
import { icmpPacket } from '../../src/traffic/index.js';
import { scanPackets } from './helpers.js';

describe('icmpv6.mtu', () => {
  it('matches the MTU a Packet Too Big message reports, and nothing else', async () => {
    const rule = 'alert icmp any any -> any any (msg:"PTB below the IPv6 minimum"; icmpv6.mtu:<1280; sid:1;)';
    const ptb = (mtu: number, ts: number, type = 2) =>
      icmpPacket({ src: '2001:db8::1', dst: '2001:db8::2', type, id: mtu >>> 16, seq: mtu & 0xffff, tsUs: ts });
    const alerts = await scanPackets(rule, [ptb(576, 1_000_000), ptb(1500, 2_000_000), ptb(576, 3_000_000, 128), ptb(68, 4_000_000)]);
    expect(alerts.map((a) => a.pcapCnt)).toEqual([1, 4]);
  });
});
