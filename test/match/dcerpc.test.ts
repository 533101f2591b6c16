/** dce_iface, dce_opnum, dce_stub_data and byte_test's dce over TCP and UDP, as Snort's DCE/RPC rules use them. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Scanner } from '../../src/match/scanner.js';
import type { Alert } from '../../src/types/alert.js';
import { corpus } from '../corpora.js';
import { concatBytes, tcpSession, udpPacket } from '../../src/traffic/index.js';
import { bindPdu, dceDatagram, nbss, requestPdu, smb2Transceive, smb2Write } from '../app/dcerpc-fixtures.js';
import { rulesetOf, scanWithCounters } from './helpers.js';

const IACTIVATION = '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57';
const WINREG = '338cd001-2244-31f1-aaaa-900038001003';

/** A RemoteActivation stub whose 32-bit word at offset 52 is `n` (little-endian). */
function activationStub(n: number): Uint8Array {
  const b = new Uint8Array(64).fill(0x41);
  new DataView(b.buffer).setUint32(52, n, true);
  return b;
}

describe('DCE/RPC rules', () => {
  const rules = [
    `alert tcp any any -> any [135,139,445,593,1024:] (msg:"IActivation remoteactivation overflow attempt"; flow:to_server,established; dce_iface:${IACTIVATION}; dce_opnum:0; dce_stub_data; byte_test:4,>,256,52,dce; sid:1;)`,
    `alert udp any any -> any [135,1024:] (msg:"udp remoteactivation"; dce_iface:${IACTIVATION.toUpperCase()}; dce_opnum:0-1; dce_stub_data; byte_test:4,>,256,52,dce; sid:2;)`,
    `alert tcp any any -> any 135 (msg:"winreg shutdown"; flow:to_server,established; dce_iface:${WINREG},>0; dce_opnum:24; sid:3;)`,
  ].join('\n');

  it('fires on the operation of the bound interface, reading numbers in the request\'s byte order', async () => {
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:135' }).handshake();
    s.send('client', bindPdu([{ id: 0, uuid: IACTIVATION, major: 0 }, { id: 1, uuid: WINREG, major: 1 }]));
    // 16 little-endian (10 00 00 00) is under 256; read big-endian it would be 0x10000000.
    s.send('client', requestPdu({ callId: 2, contextId: 0, opnum: 0, stub: activationStub(0x400) }));
    s.send('client', requestPdu({ callId: 3, contextId: 0, opnum: 0, stub: activationStub(0x10) }));
    s.send('client', requestPdu({ callId: 4, contextId: 0, opnum: 5, stub: activationStub(0x400) }));
    s.send('client', requestPdu({ callId: 5, contextId: 1, opnum: 24, stub: 'x' }));
    s.send('client', requestPdu({ callId: 6, contextId: 1, opnum: 0, stub: activationStub(0x400) }));
    const udp = udpPacket({ src: '10.0.0.3:1025', dst: '10.0.0.2:135', payload: dceDatagram({ uuid: IACTIVATION, major: 0, opnum: 0, stub: Buffer.from(activationStub(0x1000)).toString('latin1') }), tsUs: 9_000_000 });
    const r = await scanWithCounters(rules, [...s.packets(), udp]);
    expect(r.alerts.map((a) => [a.sid, a.appProto, (a.extra as { tx_id?: number }).tx_id])).toEqual([[1, 'dcerpc', 0], [3, 'dcerpc', 3], [2, 'dcerpc', 0]]);
    expect(r.alerts[0]!.extra).toMatchObject({ dcerpc: { req: { opnum: 0 }, interfaces: [{ uuid: IACTIVATION }] } });
    expect(r.counters['app_layer.flow.dcerpc_tcp']).toBe(1);
    expect(r.counters['app_layer.flow.dcerpc_udp']).toBe(1);
    expect(r.counters['kanshi.detect.inspect.dcerpc']).toBe(6);
  });

  it('byte_test dce reads big-endian requests big-endian', async () => {
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:135' }).handshake();
    const stub = (n: number): Uint8Array => {
      const b = new Uint8Array(64);
      new DataView(b.buffer).setUint32(52, n, false);
      return b;
    };
    // 16 big-endian (00 00 00 10) is under 256; read little-endian it would be 0x10000000.
    s.send('client', concatBytes([bindPdu([{ id: 0, uuid: IACTIVATION, major: 0 }], false), requestPdu({ callId: 2, contextId: 0, opnum: 0, stub: stub(0x10), little: false })]));
    s.send('client', requestPdu({ callId: 3, contextId: 0, opnum: 0, stub: stub(0x400), little: false }));
    const r = await scanWithCounters(rules, s.packets());
    expect(r.alerts.map((a) => [a.sid, (a.extra as { tx_id?: number }).tx_id])).toEqual([[1, 1]]);
  });

  it('fires on DCE/RPC carried by SMB named pipes (ports 139 and 445)', async () => {
    const SRVSVC = '4b324fc8-1670-01d3-1278-5a47bf6ee188';
    const rule = `alert tcp any any -> any [139,445] (msg:"srvsvc NetprPathCanonicalize path traversal"; flow:to_server,established; dce_iface:${SRVSVC}; dce_opnum:31; dce_stub_data; content:"|5c 00 2e 00 2e 00 5c 00|"; sid:11;)`;
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:445' }).handshake();
    const path = Buffer.from('\\..\\x', 'utf16le');
    s.send('client', nbss(smb2Write(3, bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }]))));
    s.send('client', nbss(smb2Transceive(3, requestPdu({ callId: 2, contextId: 0, opnum: 31, stub: path }))));
    s.send('client', nbss(smb2Transceive(3, requestPdu({ callId: 3, contextId: 0, opnum: 15, stub: path }))));
    const r = await scanWithCounters(rule, s.packets());
    expect(r.alerts.map((a) => [a.sid, a.appProto])).toEqual([[11, 'smb']]);
    expect(r.counters['app_layer.flow.smb']).toBe(1);
  });
});

describe('DCE/RPC over SMB in a real attack', () => {
  const capture = corpus('honeynet-fc2010-attack-trace', 'attack-trace.pcap');
  const community = corpus('snort-community', 'community.rules');

  it.skipIf(!existsSync(capture) || !existsSync(community))(
    'the Honeynet 2010 attack trace (MS04-011 over SMB1 TransactNmPipe) fires the community lsass DsRolerUpgradeDownlevelServer rule',
    async () => {
      const line = readFileSync(community, 'utf8')
        .split('\n')
        .find((l) => l.includes('sid:2508;'))!
        .replace(/^# /, '');
      const alerts: Alert[] = [];
      const scanner = new Scanner(rulesetOf(line), (a) => alerts.push(a));
      scanner.scanCaptureFile(capture);
      expect(alerts.map((a) => [a.sid, a.srcIp, a.destPort, a.appProto])).toEqual([[2508, '98.114.205.102', 445, 'smb']]);
    },
  );
});
