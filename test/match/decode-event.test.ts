/** decode-event and alert pkthdr: rules on the decoder events a packet raised (Suricata's decoder-events.rules). */
import { describe, expect, it } from 'vitest';
import { parseRules, VariableTable } from '../../src/rule/index.js';
import { ethernetFrame, ipFragments, ipPacket, ipv4Datagram, tcpBytes, tcpSession, udpBytes, type BuiltPacket } from '../../src/traffic/index.js';
import { HeaderIndex } from '../../src/match/header-index.js';
import { FACT_DECODE_EVENTS, FACT_IP_ALL, HeaderFacts } from '../../src/options/matcher.js';
import { CandidateSet } from '../../src/match/prefilter/index.js';
import { rulesetOf, scanWithCounters, sids } from './helpers.js';

const C = '10.0.0.1';
const S = '10.0.0.2';
const frame = (payload: Uint8Array, ts: number): BuiltPacket => ({
  tsUs: ts,
  frame: ethernetFrame({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType: 0x0800, payload, vlans: [] }),
  linkType: 1,
});

describe('decode-event', () => {
  const rules = [
    'alert pkthdr any any -> any any (msg:"SURICATA IPv4 truncated packet"; decode-event:ipv4.trunc_pkt; sid:2200003;)',
    'alert pkthdr any any -> any any (msg:"SURICATA IPv4 packet too small"; decode-event:decoder.ipv4.pkt_too_small; sid:2200000;)',
    'alert pkthdr any any -> any any (msg:"SURICATA TCP header length too small"; decode-event:tcp.hlen_too_small; sid:2200004;)',
    'alert tcp $HOME_NET any -> any any (msg:"bad TCP from home"; decode-event:tcp.hlen_too_small; sid:9;)',
    'alert pkthdr any any -> any any (msg:"IPv4 options"; decode-event:ipv4.opt_malformed; sid:2200006;)',
  ].join('\n');

  it('matches the events each packet raised, with or without an IP layer left', async () => {
    const good = ipv4Datagram({ src: C, dst: S, protocol: 6, payload: tcpBytes({ srcPort: 1000, dstPort: 80, seq: 1, flags: 'S' }, C, S) });
    const trunc = good.slice();
    trunc[2] = 0;
    trunc[3] = 200;
    const badTcp = good.slice();
    badTcp[20 + 12] = 0xf0; // data offset 15: a 60-byte header in a 20-byte segment
    const packets = [
      frame(good, 1_000_000),
      frame(trunc, 1_000_010),
      frame(good.subarray(0, 19), 1_000_020),
      ipPacket(badTcp, 1_000_030),
      ipPacket(ipv4Datagram({ src: C, dst: S, protocol: 6, payload: '', options: Uint8Array.of(0x83, 9, 0, 0) }), 1_000_040),
    ];
    const r = await scanWithCounters(rules, packets, {});
    // Alerts of one packet come in Suricata's order: by priority, then sid.
    expect(sids(r.alerts)).toEqual([2200003, 2200000, 9, 2200004, 2200006]);
    // Without an IP layer an alert has no addresses; with one it keeps them.
    expect(r.alerts.map((a) => a.srcIp ?? '')).toEqual(['', '', C, C, '']);
    expect(r.counters['decoder.event.ipv4.trunc_pkt']).toBe(1);
  });

  it('sees the defragmentation and TCP stream events of the stream stage on the packet that raised them', async () => {
    const rules = [
      'alert pkthdr any any -> any any (msg:"frag overlap"; decode-event:ipv4.frag_overlap; sid:1;)',
      'alert tcp any any -> any any (msg:"gap"; stream-event:stream.reassembly_seq_gap; sid:2;)',
      'alert tcp any any -> any any (msg:"rst"; stream-event:rst_invalid; sid:3;)',
    ].join('\n');
    const udp = udpBytes({ srcPort: 1, dstPort: 2, payload: 'A'.repeat(16) }, C, S);
    const frags = ipFragments({
      src: C, dst: S, protocol: 17, id: 5, tsUs: 1_000_000,
      pieces: [{ offset: 0, data: udp.subarray(0, 16) }, { offset: 8, data: new Uint8Array(8).fill(0x42) }, { offset: 16, data: udp.subarray(16), more: false }],
    });
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 2_000_000 }).handshake();
    s.send('client', 'first ', { ack: false }).skip('client', 10).send('client', 'after the gap', { ack: false }).send('server', 'ok');
    const r = await scanWithCounters(rules, [...frags, ...s.packets()], {});
    expect(sids(r.alerts)).toEqual([1, 2]);
    expect(r.alerts[0]!.pcapCnt).toBe(2);
    expect(r.alerts[1]!.srcIp).toBe('10.0.0.2');
  });

  it('leaves event rules out of packets that raised no event, through the header index', () => {
    const rs = rulesetOf('alert pkthdr any any -> any any (msg:"a"; decode-event:ipv4.trunc_pkt; sid:1;)\nalert ip any any -> any any (msg:"b"; ttl:1; sid:2;)');
    const index = new HeaderIndex(Int32Array.of(0, 1), rs.rules);
    const pick = (events: string[]): number[] => {
      const h = new HeaderFacts();
      h.known = FACT_IP_ALL | FACT_DECODE_EVENTS;
      h.ttl = 1;
      h.decodeEvents = events;
      const set = new CandidateSet(2);
      index.addTo(set, h);
      return set.toArray().sort();
    };
    expect(pick([])).toEqual([1]);
    expect(pick(['tcp.invalid_optlen'])).toEqual([0, 1]);
  });

  it('skips rules on events kanshi never raises on a packet, saying why', () => {
    const r = parseRules(
      [
        'alert pkthdr any any -> any any (msg:"x"; decode-event:ipv4.frag_unknown; sid:1;)',
        'alert pkthdr any any -> any any (msg:"y"; decode-event:vlan.too_many_layers; sid:2;)',
        'alert pkthdr any any -> any any (msg:"z"; decode-event:ipv4.trunc_pkt; sid:3;)',
        'alert tcp any any -> any any (msg:"w"; stream-event:3whs_wrong_seq_wrong_ack; sid:4;)',
      ].join('\n'),
      { vars: VariableTable.withDefaults() },
    );
    expect(r.rules.map((x) => x.status)).toEqual(['skipped', 'skipped', 'loaded', 'skipped']);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'rule skipped: kanshi does not raise the decoder event ipv4.frag_unknown',
      'rule skipped: kanshi drops frames with the decoder event vlan.too_many_layers before they become packets',
      'rule skipped: kanshi does not raise the stream event 3whs_wrong_seq_wrong_ack',
    ]);
  });
});
