/** The Snort community set's SIP rules: sip_method, sip_stat_code, sip_header. */
import { describe, expect, it } from 'vitest';
import { tcpSession, udpPacket } from '../../src/traffic/index.js';
import { scanWithCounters } from './helpers.js';

const invite = (agent: string): string =>
  `INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP a\r\nCSeq: 1 INVITE\r\nUser-Agent: ${agent}\r\nContent-Length: 0\r\n\r\n`;

describe('SIP rules', () => {
  const rules = [
    'alert udp any any -> any 5060 (msg:"inbound INVITE"; flow:to_server; content:"INVITE"; fast_pattern:only; sip_method:invite; sid:1;)',
    'alert udp any 5060 -> any any (msg:"ringing"; flow:to_client; sip_stat_code:180; content:"SIP/2.0"; fast_pattern:only; sid:2;)',
    'alert udp any 5060 -> any any (msg:"4xx"; sip_stat_code:4; content:"SIP/2.0"; sid:3;)',
    'alert udp any any -> any 5060 (msg:"shellshock in headers"; flow:stateless; sip_header; content:"() {"; sid:4;)',
    'alert tcp any any -> any 5060 (msg:"not invite"; flow:to_server,established; sip_method:!invite; content:"SIP/2.0"; sid:5;)',
    'alert sip any any -> any any (msg:"sip.user_agent"; sip.user_agent; content:"friendly-scanner"; sid:6;)',
  ].join('\n');

  it('fire on the method, the code class and the headers of each message', async () => {
    const at = (n: number) => n * 1_000_000;
    const packets = [
      udpPacket({ src: '10.0.0.1:5060', dst: '10.0.0.2:5060', payload: invite('() { :; }; /bin/id'), tsUs: at(1) }),
      udpPacket({ src: '10.0.0.2:5060', dst: '10.0.0.1:5060', payload: 'SIP/2.0 180 Ringing\r\nCSeq: 1 INVITE\r\n\r\n', tsUs: at(2) }),
      udpPacket({ src: '10.0.0.2:5060', dst: '10.0.0.1:5060', payload: 'SIP/2.0 403 Forbidden\r\nCSeq: 1 INVITE\r\n\r\n', tsUs: at(3) }),
      udpPacket({ src: '10.0.0.3:5070', dst: '10.0.0.2:5060', payload: 'OPTIONS sip:100@10.0.0.2 SIP/2.0\r\nUser-Agent: friendly-scanner\r\n\r\n', tsUs: at(4) }),
      // The same text outside SIP: nothing.
      udpPacket({ src: '10.0.0.4:5000', dst: '10.0.0.2:5060', payload: 'INVITE me to dinner; () { }\n', tsUs: at(5) }),
    ];
    const s = tcpSession({ client: '10.0.0.5:40000', server: '10.0.0.2:5060' }).handshake();
    s.send('client', 'REGISTER sip:example.com SIP/2.0\r\nCSeq: 2 REGISTER\r\nContent-Length: 0\r\n\r\n').send('client', invite('x'));
    const r = await scanWithCounters(rules, [...packets, ...s.packets()]);
    expect(r.alerts.map((a) => [a.sid, a.appProto])).toEqual([[1, 'sip'], [4, 'sip'], [2, 'sip'], [3, 'sip'], [6, 'sip'], [5, 'sip']]);
    expect(r.alerts[0]!.extra).toMatchObject({ tx_id: 0, sip: { method: 'INVITE', uri: 'sip:bob@example.com' } });
    expect(r.counters['app_layer.flow.sip']).toBe(3);
    expect(r.counters['kanshi.detect.inspect.sip']).toBe(6);
  });
});
