/** alert ftp|smb|ssh: flows recognised by their first bytes (not parsed), their rules reading the stream. */
import { describe, expect, it } from 'vitest';
import { tcpSession } from '../../src/traffic/index.js';
import { scanWithCounters, sids } from './helpers.js';

const smbMessage = (magic: number, body: string): Uint8Array => {
  const smb = Buffer.concat([Buffer.from([magic]), Buffer.from('SMB', 'latin1'), Buffer.from(body, 'latin1')]);
  return Uint8Array.from([0, 0, smb.length >> 8, smb.length & 0xff, ...smb]);
};

/** A DCE/RPC bind PDU (little-endian) for an interface, then a request carrying `stub`. */
function dcerpcBindAndRequest(stub: string): [Uint8Array, Uint8Array] {
  const bind = Uint8Array.from([5, 0, 11, 3, 0x10, 0, 0, 0, 72, 0, 0, 0, 1, 0, 0, 0, ...new Array<number>(56).fill(0)]);
  const body = Buffer.from(stub, 'latin1');
  const len = 24 + body.length;
  const request = Uint8Array.from([5, 0, 0, 3, 0x10, 0, 0, 0, len & 0xff, len >> 8, 0, 0, 2, 0, 0, 0, body.length, 0, 0, 0, 0, 0, 6, 0, ...body]);
  return [bind, request];
}

describe('alert dcerpc', () => {
  it('applies to DCE/RPC flows on any port and to SMB flows (DCE/RPC over named pipes), not to others', async () => {
    const rule = 'alert dcerpc any any -> any any (msg:"wmiexec"; flow:established,to_server; content:"127.0.0.1|5c|ADMIN$"; sid:7;)';
    const [bind, request] = dcerpcBindAndRequest('cmd.exe /Q /c cd \\127.0.0.1\\ADMIN$ 1> x');
    const rpc = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:49667' }).handshake();
    rpc.send('client', bind).send('client', request);
    const smb = tcpSession({ client: '10.0.0.1:40001', server: '10.0.0.2:445' }).handshake();
    smb.send('client', smbMessage(0xfe, '\x40\x00 write \\127.0.0.1\\ADMIN$'));
    const http = tcpSession({ client: '10.0.0.1:40002', server: '10.0.0.2:80' }).handshake();
    http.send('client', 'GET /\\127.0.0.1\\ADMIN$ HTTP/1.1\r\nHost: a\r\n\r\n');
    const r = await scanWithCounters(rule, [...rpc.packets(), ...smb.packets(), ...http.packets()]);
    expect(r.alerts.map((a) => [a.sid, a.appProto])).toEqual([[7, 'dcerpc'], [7, 'smb']]);
    expect(r.counters['app_layer.flow.dcerpc_tcp']).toBe(1);
  });
});

describe('labelled protocols', () => {
  const rules = [
    'alert ftp any any -> any any (msg:"ftp traversal"; flow:to_server,established; content:"LIST"; content:".."; distance:1; sid:1;)',
    'alert smb any any -> any any (msg:"smb1 negotiate"; flow:to_server,established; content:"|FF|SMB|72|"; offset:4; depth:5; sid:2;)',
    'alert ssh any any -> any any (msg:"libssh"; flow:to_server,established; content:"SSH-"; content:"libssh"; within:20; sid:3;)',
    'alert ftp any any -> any any (msg:"ftp banner"; flow:to_client,established; content:"vsFTPd"; sid:4;)',
  ].join('\n');

  it('labels FTP, SMB and SSH flows on any port and inspects their streams with their rules only', async () => {
    const ftp = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:2121' }).handshake();
    ftp.send('server', '220 (vsFTPd 3.0.3)\r\n').send('client', 'USER anonymous\r\n').send('client', 'LIST ../../etc\r\n');
    const smb = tcpSession({ client: '10.0.0.1:40001', server: '10.0.0.2:445' }).handshake();
    smb.send('client', smbMessage(0xff, '\x72\x00\x00\x00\x00')).send('client', smbMessage(0xff, '\x72\x00\x00\x00\x00'));
    const ssh = tcpSession({ client: '10.0.0.1:40002', server: '10.0.0.2:22' }).handshake();
    ssh.send('client', 'SSH-2.0-libssh_0.9.6\r\n');
    // The same bytes on a flow of another protocol: no alert ftp rule applies.
    const http = tcpSession({ client: '10.0.0.1:40003', server: '10.0.0.2:80' }).handshake();
    http.send('client', 'GET /LIST/../x HTTP/1.1\r\nHost: a\r\n\r\n');
    const r = await scanWithCounters(rules, [...ftp.packets(), ...smb.packets(), ...ssh.packets(), ...http.packets()]);
    expect(sids(r.alerts)).toEqual([4, 1, 2, 2, 3]);
    expect(r.alerts.map((a) => a.appProto)).toEqual(['ftp', 'ftp', 'smb', 'smb', 'ssh']);
    expect([r.counters['app_layer.flow.ftp'], r.counters['app_layer.flow.smb'], r.counters['app_layer.flow.ssh'], r.counters['app_layer.flow.http']]).toEqual([1, 1, 1, 1]);
  });
});

describe('alert ftp-data', () => {
  it('applies to the data connections FTP control connections announce, passive or active', async () => {
    const rule = 'alert ftp-data any any -> any any (msg:"script over ftp-data"; flow:established,to_client; content:"CreateObject"; sid:9;)';
    const control = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:21' }).handshake();
    control.send('server', '220 (vsFTPd 3.0.3)\r\n').send('client', 'USER a\r\nPASV\r\n').send('server', '227 Entering Passive Mode (10,0,0,2,195,80).\r\n');
    const passive = tcpSession({ client: '10.0.0.1:40001', server: '10.0.0.2:50000' }).handshake();
    passive.send('server', 'Set x = CreateObject("WScript.Shell")\r\n');
    // The same bytes on a connection nobody announced: not ftp-data.
    const other = tcpSession({ client: '10.0.0.1:40002', server: '10.0.0.2:50001' }).handshake();
    other.send('server', 'Set x = CreateObject("WScript.Shell")\r\n');
    const r = await scanWithCounters(rule, [...control.packets(), ...passive.packets(), ...other.packets()]);
    expect(r.alerts.map((a) => [a.sid, a.appProto, a.srcPort])).toEqual([[9, 'ftp-data', 50000]]);
    expect(r.counters['app_layer.flow.ftp-data']).toBe(1);
  });
});
