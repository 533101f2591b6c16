/** FTP control connections: the data connections they announce. */
import { describe, expect, it } from 'vitest';
import { addressKey, expandIpv6, FtpControl, parseClientAnnouncement, parseServerAnnouncement } from '../../src/app/ftp/control.js';
import { bytes } from './helpers.js';

describe('FTP announcements', () => {
  it.each([
    ['PORT 10,0,0,5,19,137', { ip: '10.0.0.5', port: 5001 }],
    ['port 10,0,0,5,0,20\r', { ip: '10.0.0.5', port: 20 }],
    ['EPRT |1|10.0.0.5|6275|', { ip: '10.0.0.5', port: 6275 }],
    ['EPRT |2|2001:DB8::5|6275|', { ip: '2001:0db8:0000:0000:0000:0000:0000:0005', port: 6275 }],
    ['PORT 10,0,0,256,19,137', null],
    ['EPRT |1|10.0.0|6275|', null],
    ['USER anonymous', null],
  ])('client %j', (line, want) => {
    expect(parseClientAnnouncement(line.trimEnd())).toEqual(want);
  });

  it.each([
    ['227 Entering Passive Mode (192,168,1,2,195,80).', { ip: '192.168.1.2', port: 50000 }],
    ['227 =192,168,1,2,195,80', { ip: '192.168.1.2', port: 50000 }],
    ['229 Entering Extended Passive Mode (|||50001|)', { ip: '10.9.9.9', port: 50001 }],
    ['230 Login successful.', null],
  ])('server %j', (line, want) => {
    expect(parseServerAnnouncement(line, '10.9.9.9')).toEqual(want);
  });

  it('reads lines however split, skipping overlong ones', () => {
    const seen: string[] = [];
    const c = new FtpControl({ expect: (ip, port) => seen.push(`${ip} ${port}`) }, '10.0.0.2');
    for (const part of ['PA', 'SV\r\n', 'PORT 10,0,0,5,', '4,1\r\n', 'X'.repeat(5000), '\r\nPORT 10,0,0,5,4,2\r\n']) c.data(true, bytes(part));
    c.data(false, bytes('227 Entering Passive Mode (10,0,0,2,4,3)\r\n'));
    expect(seen).toEqual(['10.0.0.5 1025', '10.0.0.5 1026', '10.0.0.2 1027']);
  });

  it('names addresses as announcements do', () => {
    expect(addressKey(Uint8Array.of(10, 0, 0, 5))).toBe('10.0.0.5');
    expect(addressKey(Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 5]))).toBe(expandIpv6('2001:db8::5'));
    expect(expandIpv6('1:2:3')).toBeNull();
  });
});
