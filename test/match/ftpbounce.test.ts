/** ftpbounce: a PORT command naming another host than the client's own address. */
import { describe, expect, it } from 'vitest';
import { portCommandAddress } from '../../src/options/payload/ftpbounce.js';
import { tcpSession } from '../../src/traffic/index.js';
import { scanPackets, sids } from './helpers.js';

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('ftpbounce', () => {
  it('reads the address of a PORT argument', () => {
    expect(portCommandAddress(bytes(' 10,0,0,9,4,1\r\n'), 0)).toBe(0x0a000009);
    expect(portCommandAddress(bytes('PORT 192,168,1,200,19,137'), 0)).toBe(0xc0a801c8);
    expect(portCommandAddress(bytes('port 1 , 2 ,3, 4'), 0)).toBe(0x01020304);
    expect(portCommandAddress(bytes(' 255,255,255,255,0,21'), 0)).toBe(0xffffffff);
    for (const bad of [' 256,0,0,1,4,1', ' 10,0,0', ' 10,0,,1,4,1', ' 0010,0,0,1', ' a,b,c,d', '', ' 10.0.0.1']) {
      expect(portCommandAddress(bytes(bad), 0), bad).toBe(-1);
    }
  });

  const rule =
    'alert tcp any any -> any 21 (msg:"FTP PORT bounce"; flow:to_server,established; content:"PORT"; nocase; ftpbounce; pcre:"/^PORT/smi"; sid:3441;)';

  it('fires when the PORT address is not the client and stays silent when it is', async () => {
    const bounce = tcpSession({ client: '10.0.0.5:40000', server: '10.0.0.2:21' }).handshake();
    bounce.send('server', '220 ready\r\n').send('client', 'USER a\r\n').send('client', 'PORT 192,168,7,7,0,25\r\n');
    const honest = tcpSession({ client: '10.0.0.6:40001', server: '10.0.0.2:21' }).handshake();
    honest.send('server', '220 ready\r\n').send('client', 'USER a\r\n').send('client', 'PORT 10,0,0,6,156,64\r\n');
    const alerts = await scanPackets(rule, [...bounce.packets(), ...honest.packets()]);
    expect(sids(alerts)).toEqual([3441]);
    expect(alerts[0]!.srcIp).toBe('10.0.0.5');
  });

  it('tries each PORT of the data: an honest one first does not hide a bounce after it', async () => {
    const s = tcpSession({ client: '10.0.0.5:40000', server: '10.0.0.2:21' }).handshake();
    s.send('client', 'PORT 10,0,0,5,4,1\r\nPORT 10,9,9,9,4,2\r\n');
    expect(sids(await scanPackets(rule, s.packets()))).toEqual([3441]);
  });

  it('never fires for an IPv6 client (the PORT address is IPv4 only)', async () => {
    const s = tcpSession({ client: '[2001:db8::5]:40000', server: '[2001:db8::2]:21' }).handshake();
    s.send('client', 'PORT 192,168,7,7,0,25\r\n');
    expect(await scanPackets(rule, s.packets())).toEqual([]);
  });
});
