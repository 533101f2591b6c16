/**
 * IP-only rules (Suricata's term): a rule that names addresses and nothing the packet carries
 * is evaluated on the first packet of each direction of a flow, not on every packet; rules
 * with ports, header keywords, a flow keyword or flowbits checks stay per packet.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipDatagram, ipFragments, ipPacket, tcpSession, udpPacket, icmpEcho } from '../../src/traffic/index.js';
import { rulesetOf, scanLogLines, scanPackets, sids } from './helpers.js';

const count = (got: number[], sid: number): number => got.filter((s) => s === sid).length;

function conversation(): ReturnType<typeof tcpSession> {
  const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1_000_000 }).handshake();
  s.send('client', 'GET / HTTP/1.0\r\n\r\n').send('server', 'HTTP/1.0 200 OK\r\n\r\nhi').send('client', 'more').close();
  return s;
}

describe('IP-only rules', () => {
  it('fire once per direction of a TCP flow; port, header, flow and flowbits-check rules fire per packet', async () => {
    const rules = [
      'alert ip any any -> any any (msg:"ip only"; sid:1;)',
      'alert tcp any any -> any any (msg:"tcp, any ports"; sid:2;)',
      'alert tcp any any -> any 80 (msg:"port rule"; sid:3;)',
      'alert ip any any -> any any (msg:"ttl"; ttl:64; sid:4;)',
      'alert tcp any any -> any any (msg:"flow keyword"; flow:to_server; sid:5;)',
      'alert ip any any -> any any (msg:"sets a bit"; flowbits:set,seen; sid:6;)',
      'alert ip any any -> any any (msg:"checks a bit"; flowbits:isset,seen; sid:7;)',
      'alert ip 10.0.0.2 any -> 10.0.0.1 any (msg:"server to client"; sid:8;)',
      'alert ip any any <> any any (msg:"either way"; sid:9;)',
    ].join('\n');
    const packets = conversation().packets();
    const toServer = packets.filter((p) => p.frame[0x1e + 3] === 2).length;
    const got = sids(await scanPackets(rules, packets));
    expect(count(got, 1)).toBe(2);
    expect(count(got, 2)).toBe(2);
    expect(count(got, 3)).toBe(toServer);
    expect(count(got, 4)).toBe(packets.length);
    expect(count(got, 5)).toBe(toServer);
    expect(count(got, 6)).toBe(2);
    // The bit is set by the rule before it on the first packet, so every packet sees it.
    expect(count(got, 7)).toBe(packets.length);
    // The first packet from the server is the first of its direction: it meets the rule.
    expect(count(got, 8)).toBe(1);
    expect(count(got, 9)).toBe(2);
    // The rule that lists ports is the per-packet one.
    expect(toServer).toBeGreaterThan(3);
  });

  it('fire exactly once per direction that sent a packet, whatever the conversation (property)', async () => {
    const rules = 'alert ip any any -> any any (msg:"ip only"; sid:1;)\nalert tcp any any -> any any (msg:"per packet"; flags:A+; sid:2;)';
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 40 })), { minLength: 0, maxLength: 8 }), fc.boolean(), async (sends, handshake) => {
        const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1_000_000 });
        if (handshake) s.handshake();
        for (const [fromClient, n] of sends) s.send(fromClient ? 'client' : 'server', 'x'.repeat(n));
        const packets = s.packets();
        const fromServer = (p: { frame: Uint8Array }): boolean => p.frame[0x1e + 3] === 1;
        const directions = new Set(packets.map(fromServer)).size;
        const got = sids(await scanPackets(rules, packets));
        expect(got.filter((x) => x === 1).length).toBe(directions);
      }),
      { numRuns: 40 },
    );
  });

  it('fire once per direction of UDP and ICMP flows, each flow on its own', async () => {
    const rules = 'alert ip any any -> any any (msg:"ip only"; sid:1;)\nalert udp any any -> any any (msg:"udp"; sid:2;)\nalert icmp any any -> any any (msg:"icmp"; sid:3;)';
    const packets = [
      udpPacket({ src: '10.0.0.1:1000', dst: '10.0.0.2:53', payload: 'a', tsUs: 1_000_000 }),
      udpPacket({ src: '10.0.0.1:1000', dst: '10.0.0.2:53', payload: 'b', tsUs: 1_000_010 }),
      udpPacket({ src: '10.0.0.2:53', dst: '10.0.0.1:1000', payload: 'c', tsUs: 1_000_020 }),
      udpPacket({ src: '10.0.0.1:1001', dst: '10.0.0.2:53', payload: 'd', tsUs: 1_000_030 }),
      icmpEcho({ src: '10.0.0.1', dst: '10.0.0.3', id: 1, seq: 1, tsUs: 1_000_040 }),
      icmpEcho({ src: '10.0.0.1', dst: '10.0.0.3', id: 1, seq: 2, tsUs: 1_000_050 }),
      icmpEcho({ src: '10.0.0.3', dst: '10.0.0.1', id: 1, seq: 1, reply: true, tsUs: 1_000_060 }),
    ];
    const got = sids(await scanPackets(rules, packets));
    // Flow 1: two directions; flow 2 (another source port): one; ICMP: two.
    expect(count(got, 1)).toBe(5);
    expect(count(got, 2)).toBe(3);
    expect(count(got, 3)).toBe(2);
  });

  it('fire on every packet of protocols without flows (GRE, IGMP) and on every fragment', async () => {
    const rules = 'alert ip any any -> any any (msg:"ip only"; sid:1;)';
    const igmp = (ts: number) => ipPacket(ipDatagram({ src: '10.0.0.1', dst: '224.0.0.1', protocol: 2, payload: new Uint8Array(8) }), ts);
    expect(sids(await scanPackets(rules, [igmp(1_000_000), igmp(1_000_010), igmp(1_000_020)]))).toEqual([1, 1, 1]);
    // Two fragments with a hole: never reassembled, each one meets the rule.
    const frags = ipFragments({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, id: 9, tsUs: 1_000_000, pieces: [{ offset: 0, data: new Uint8Array(16) }, { offset: 32, data: new Uint8Array(8), more: false }] });
    expect(sids(await scanPackets(rules, frags))).toEqual([1, 1]);
  });

  it('are told apart at compile time as Suricata does', () => {
    const ipOnly = (rule: string): boolean => rulesetOf(rule).rules[0]!.ipOnly;
    expect(ipOnly('alert ip $HOME_NET any -> !$HOME_NET any (msg:"x"; sid:1;)')).toBe(true);
    expect(ipOnly('alert ip any any -> any 80 (msg:"ports do not matter for ip"; sid:1;)')).toBe(true);
    expect(ipOnly('alert icmp any any -> any any (msg:"x"; threshold:type limit,track by_src,count 1,seconds 60; sid:1;)')).toBe(true);
    expect(ipOnly('alert udp any any -> any any (msg:"x"; flowbits:set,a; flowbits:noalert; sid:1;)')).toBe(true);
    expect(ipOnly('alert udp any any -> any 53 (msg:"x"; sid:1;)')).toBe(false);
    expect(ipOnly('alert tcp any any -> any any (msg:"x"; flowbits:unset,a; sid:1;)')).toBe(false);
    expect(ipOnly('alert tcp any any -> any any (msg:"x"; flags:S; sid:1;)')).toBe(false);
    expect(ipOnly('alert tcp any any -> any any (msg:"x"; content:"a"; sid:1;)')).toBe(false);
    expect(ipOnly('alert http any any -> any any (msg:"x"; sid:1;)')).toBe(false);
    expect(ipOnly('alert tcp-pkt any any -> any any (msg:"x"; sid:1;)')).toBe(false);
  });

  it('fire on every log record (records have no flows)', async () => {
    const alerts = await scanLogLines('alert ip any any -> any any (msg:"ip only"; sid:1;)', [
      'Mar  1 10:00:00 fw kernel: IN=eth0 OUT= SRC=10.0.0.9 DST=10.0.0.2 LEN=40 TTL=64 ID=1 PROTO=TCP SPT=4000 DPT=445 WINDOW=512 SYN',
      'Mar  1 10:00:01 fw kernel: IN=eth0 OUT= SRC=10.0.0.9 DST=10.0.0.2 LEN=40 TTL=64 ID=2 PROTO=TCP SPT=4000 DPT=445 WINDOW=512 SYN',
    ], { year: 2003 });
    expect(sids(alerts)).toEqual([1, 1]);
  });
});
