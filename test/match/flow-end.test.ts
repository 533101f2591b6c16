/**
 * Late packets of a TCP flow whose end was already inspected (stream/ ends a flow at its close
 * and keeps it a few seconds for stragglers): the engine must keep the flow's pass verdict, and
 * must not take a retransmission for midstream data and alert on it a second time.
 */
import { describe, expect, it } from 'vitest';
import { tcpSession } from '../../src/traffic/index.js';
import { scanPackets, sids } from './helpers.js';

const REQUEST = 'GET /x?EVILPATTERN HTTP/1.1\r\nHost: x\r\n\r\n';

function closedSession() {
  return tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1_000_000, stepUs: 1000 })
    .handshake()
    .send('client', REQUEST)
    .send('server', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
    .close();
}

describe('late packets after a flow ended', () => {
  it('do not alert again when a retransmission repeats data inspected before the close', async () => {
    // No flow: keyword, so a retransmission taken for data without a handshake would match again.
    const rules = 'alert tcp any any -> any 80 (msg:"pattern"; content:"EVILPATTERN"; sid:1;)';
    const s = closedSession();
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([1]);
    s.wait(200_000).segment('client', { offset: 0, data: REQUEST, advance: false });
    s.wait(200_000).segment('client', { offset: 0, data: REQUEST, advance: false });
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([1]);
  });

  it('keep the pass verdict of the flow', async () => {
    const rules = [
      'pass tcp any any -> any 80 (msg:"trusted"; flow:to_server; content:"EVILPATTERN"; sid:1;)',
      'alert tcp any any -> any 80 (msg:"any packet to the server with data"; dsize:>0; sid:2;)',
    ].join('\n');
    const s = closedSession();
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([]);
    s.wait(200_000).segment('client', { offset: 0, data: REQUEST, advance: false });
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([]);
  });

  it('still see the flow as established', async () => {
    const rules = 'alert tcp any any -> any 80 (msg:"late data on an established flow"; flow:established,to_server; dsize:>0; sid:3;)';
    const s = closedSession();
    const before = sids(await scanPackets(rules, s.packets())).length;
    s.wait(200_000).segment('client', { offset: 0, data: REQUEST, advance: false });
    expect(sids(await scanPackets(rules, s.packets())).length).toBe(before + 1);
  });
});
