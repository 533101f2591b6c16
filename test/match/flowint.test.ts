/** flowint: per-flow counters changed by matching rules and tested by others. */
import { describe, expect, it } from 'vitest';
import { applyFlowint, flowintHolds, type FlowintValue } from '../../src/options/non-payload/flowint.js';
import { tcpSession, udpPacket } from '../../src/traffic/index.js';
import { scanLogLines, scanPackets, sids } from './helpers.js';

describe('flowint', () => {
  it('counts matches on a flow and fires once the count is reached, per flow', async () => {
    const rules = [
      'alert tcp any any -> any any (msg:"count"; flow:to_server; content:"LOGIN FAIL"; flowint:fails,+,1; noalert; sid:1;)',
      'alert tcp any any -> any any (msg:"third failure"; flow:to_server; content:"LOGIN FAIL"; flowint:fails,==,3; sid:2;)',
      'alert tcp any any -> any any (msg:"not counted yet"; flow:to_server; content:"HELLO"; flowint:fails,notset; sid:3;)',
      'alert tcp any any -> any any (msg:"reset"; flow:to_server; content:"LOGIN OK"; flowint:fails,=,0; noalert; sid:4;)',
      'alert tcp any any -> any any (msg:"after reset"; flow:to_server; content:"BYE"; flowint:fails,<,1; flowint:fails,isset; sid:5;)',
    ].join('\n');
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:143', startUs: 1_000_000 }).handshake();
    s.send('client', 'HELLO\r\n');
    for (let i = 0; i < 4; i++) s.send('client', 'LOGIN FAIL\r\n');
    s.send('client', 'LOGIN OK\r\n').send('client', 'BYE\r\n');
    // The third failure's own count is already applied when rule 2 sees it: rules run in order.
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([3, 2, 5]);
    const other = tcpSession({ client: '10.0.0.1:40001', server: '10.0.0.2:143', startUs: 1_000_000 }).handshake();
    other.send('client', 'LOGIN FAIL\r\n');
    expect(sids(await scanPackets(rules, [...s.packets(), ...other.packets()]))).toEqual([3, 2, 5]);
  });

  it('follows Suricata on unset counters and counter operands', () => {
    const v = (name: string, op: FlowintValue['op'], value?: number | string): FlowintValue => ({ name, op, ...(value !== undefined ? { value } : {}) });
    const ints = new Map<string, number>();
    expect(flowintHolds(ints, v('a', '>=', 0))).toBe(false);
    applyFlowint(ints, v('a', '-', 1));
    expect(ints.has('a')).toBe(false);
    applyFlowint(ints, v('a', '+', 5));
    applyFlowint(ints, v('b', '=', 'a'));
    applyFlowint(ints, v('c', '=', 'missing'));
    expect([...ints]).toEqual([['a', 5], ['b', 5], ['c', 0]]);
    expect(flowintHolds(ints, v('a', '==', 'b'))).toBe(true);
    applyFlowint(ints, v('c', '-', 1));
    expect(ints.get('c')).toBe(4294967295);
  });

  it('keeps counters on UDP flows as on TCP ones', async () => {
    const rules = 'alert udp any any -> any any (msg:"x"; flowint:n,isset; sid:1;)\nalert udp any any -> any any (msg:"y"; flowint:n,+,1; sid:2;)';
    const got = sids(await scanPackets(rules, [udpPacket({ src: '10.0.0.1:1', dst: '10.0.0.2:2', payload: 'a', tsUs: 1 }), udpPacket({ src: '10.0.0.1:1', dst: '10.0.0.2:2', payload: 'b', tsUs: 2 })]));
    // The changing rule runs before the reading one, as Suricata orders them: isset already holds on the first packet.
    expect(got).toEqual([2, 1, 2, 1]);
  });

  it('never holds on log records, which have no flow to keep counters on', async () => {
    const rules = 'alert http any any -> any any (msg:"x"; http.uri; content:"/a"; flowint:n,notset; sid:1;)\nalert http any any -> any any (msg:"y"; http.uri; content:"/a"; flowint:n,+,1; sid:2;)';
    const line = '192.0.2.7 - - [17/Mar/2003:10:00:00 +0000] "GET /a HTTP/1.0" 404 0 "-" "-"';
    const alerts = await scanLogLines(rules, [line, line]);
    expect(sids(alerts)).toEqual([2, 2]);
  });
});
