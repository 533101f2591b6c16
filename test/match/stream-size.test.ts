/** stream_size: the sequence space each side of a TCP session has used, as Suricata counts it. */
import { describe, expect, it } from 'vitest';
import { tcpSession, udpPacket } from '../../src/traffic/index.js';
import { scanPackets } from './helpers.js';

/** Alerts per packet number, for one rule at a time. */
async function firedAt(rule: string): Promise<number[]> {
  // 1 SYN, 2 SYN/ACK, 3 ACK, 4 client "abc", 5 server "hello", 6 client "de".
  const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:8080', startUs: 1_000_000 }).handshake();
  s.send('client', 'abc', { ack: false }).send('server', 'hello', { ack: false }).send('client', 'de', { ack: false });
  return (await scanPackets(rule, s.packets())).map((a) => a.pcapCnt ?? -1);
}

describe('stream_size', () => {
  it('compares each side: 1 for the SYN plus the bytes sent in order', async () => {
    expect(await firedAt('alert tcp any any -> any any (msg:"c"; stream_size:client,=,4; sid:1;)')).toEqual([4, 5]);
    expect(await firedAt('alert tcp any any -> any any (msg:"s"; stream_size:server,>,5; sid:1;)')).toEqual([5, 6]);
    expect(await firedAt('alert tcp any any -> any any (msg:"s"; stream_size:server,<=,1; sid:1;)')).toEqual([1, 2, 3, 4]);
    expect(await firedAt('alert tcp any any -> any any (msg:"both"; stream_size:both,>=,4; sid:1;)')).toEqual([5, 6]);
    expect(await firedAt('alert tcp any any -> any any (msg:"either"; stream_size:either,=,1; sid:1;)')).toEqual([1, 2, 3, 4]);
    expect(await firedAt('alert tcp any any -> any any (msg:"ne"; stream_size:client,!=,1; sid:1;)')).toEqual([4, 5, 6]);
  });

  it('holds for content matched on the stream, at the sizes the data arrived with', async () => {
    expect(await firedAt('alert tcp any any -> any any (msg:"x"; flow:established,to_server; stream_size:client,>,5; content:"de"; sid:1;)')).toEqual([6]);
    expect(await firedAt('alert tcp any any -> any any (msg:"x"; flow:established,to_server; stream_size:client,<,5; content:"de"; sid:1;)')).toEqual([]);
    expect(await firedAt('alert tcp any any -> any any (msg:"x"; flow:established,to_client; stream_size:server,=,6; content:"ell"; sid:1;)')).toEqual([5]);
  });

  it('never matches outside a TCP session', async () => {
    const got = await scanPackets('alert udp any any -> any any (msg:"x"; stream_size:either,>=,0; sid:1;)', [udpPacket({ src: '10.0.0.1:1', dst: '10.0.0.2:2', payload: 'a', tsUs: 1 })]);
    expect(got).toEqual([]);
  });
});
