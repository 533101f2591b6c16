/** Hostile input through the whole scan: mutated captures never make detection throw or hang. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ruleset } from '../../src/match/ruleset.js';
import { Scanner } from '../../src/match/scanner.js';
import { RuleLoader } from '../../src/rule/loader.js';
import { VariableTable } from '../../src/rule/variables.js';
import {
  clientHello, concatBytes, dnsPacket, encodePcap, httpConversation, ipDatagram, ipPacket, serverHello, smtpConversation, tcpSession, tlsHandshake, tlsRecords, udpPacket,
} from '../../src/traffic/index.js';
import { TEST_CERT } from '../app/tls/fixtures.js';
import { bindPdu, nbss, requestPdu, smb2Transceive, smb2Write } from '../app/dcerpc-fixtures.js';
import { REPO_ROOT } from '../corpora.js';

const SRVSVC = '4b324fc8-1670-01d3-1278-5a47bf6ee188';

const EXTRA = [
  'alert tcp any any -> any any (msg:"chain"; content:"GET"; content:"HTTP"; distance:0; within:400; byte_test:1,>,0,0,relative; sid:9000001;)',
  'alert tcp any any -> any any (msg:"jump"; content:"|00|"; byte_jump:2,0,relative,little; isdataat:!1,relative; sid:9000002;)',
  'alert http any any -> any any (msg:"uri"; http.uri; pcre:"/^\\/(?:a|b)+\\d*$/"; bsize:>1; sid:9000003;)',
  'alert tcp any any -> any any (msg:"extract"; byte_extract:1,0,n; content:"A"; offset:n; depth:4; sid:9000004;)',
  'alert ip any any -> any any (msg:"hdr"; ttl:<255; flags:!R; sid:9000005;)',
  'alert dns any any -> any any (msg:"dns"; dns.query; dotprefix; content:".test"; endswith; sid:9000006;)',
  'alert tls any any -> any any (msg:"sni"; tls.sni; content:"example"; sid:9000007;)',
  'alert tls any any -> any any (msg:"cert"; tls.cert_subject; content:"CN="; tls.certs; content:"|55 04 03|"; sid:9000008;)',
  `alert tcp any any -> any any (msg:"dce"; dce_iface:${SRVSVC}; dce_opnum:15; dce_stub_data; byte_test:4,>,0,0,dce; sid:9000009;)`,
  'alert udp any any -> any any (msg:"sip"; sip_method:invite; sip_header; content:"Via"; sid:9000010;)',
  'alert ssh any any -> any any (msg:"ssh"; ssh.software; content:"OpenSSH"; sid:9000011;)',
  'alert tcp any any -> any 21 (msg:"bounce"; content:"PORT"; ftpbounce; sid:9000012;)',
  'alert ftp-data any any -> any any (msg:"data"; content:"payload"; sid:9000013;)',
  'alert tcp any any -> any any (msg:"asn1"; content:"|30|"; asn1:oversize_length 100, relative_offset -1; sid:9000014;)',
  'alert tcp any any -> any any (msg:"sslv2"; ssl_version:sslv2; ssl_state:client_hello; content:"|01 00 02|"; sid:9000015;)',
].join('\n');


function ruleset(): Ruleset {
  const loader = new RuleLoader({ vars: VariableTable.withDefaults() });
  const dir = join(REPO_ROOT, 'rules');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.rules'))) loader.loadFile(join(dir, f));
  loader.loadText('extra.rules', EXTRA);
  return new Ruleset(loader.rules);
}

const base = encodePcap([
  ...httpConversation({ request: { method: 'POST', uri: '/a/bb/1', body: 'x=1' }, response: { status: 200, body: 'GET HTTP \u0000\u0001' } }).packets(),
  ...smtpConversation({ from: 'a@b.c', to: 'd@e.f', message: 'Subject: x\r\n\r\nbody\r\n' }).packets(),
  ...tcpSession({ client: '10.1.1.1:1000', server: '10.2.2.2:445', startUs: 5 }).handshake().send('client', 'A\u0000\u0002\u0000xyz', { splitAt: [2] }).close().packets(),
  udpPacket({ src: '10.0.0.1:1434', dst: '10.0.0.2:1434', payload: '\u0004AAAA', tsUs: 9 }),
  dnsPacket({ client: '10.0.0.5:4000', server: '10.0.0.53:53', names: ['a.b.test', 'c.test'], tsUs: 10 }),
  ...tlsSession(),
  ...otherProtocols(),
  // HTTP inside GRE, and a DNS query inside VXLAN.
  ...httpConversation({ request: { method: 'GET', uri: '/b' }, response: { status: 200 } })
    .packets()
    .map((p) => ipPacket(ipDatagram({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 47, payload: concatBytes([Uint8Array.of(0, 0, 8, 0), p.frame.subarray(14)]) }), p.tsUs)),
  udpPacket({ src: '192.0.2.1:5000', dst: '192.0.2.2:4789', payload: concatBytes([Uint8Array.of(8, 0, 0, 0, 0, 0, 1, 0), dnsPacket({ client: '10.9.0.1:4000', server: '10.9.0.2:53', names: ['x.test'], tsUs: 20 }).frame]), tsUs: 20 }),
]);

/** DCE/RPC over TCP and SMB, SIP, SSH, FTP with a bounce and a data connection, ASN.1, SSLv2. */
function otherProtocols() {
  const bind = bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }]);
  const req = requestPdu({ callId: 1, contextId: 0, opnum: 15, stub: '\u0001\u0000\u0000\u0000enum' });
  const at = (n: number) => ({ startUs: 30 + n });
  const ftp = tcpSession({ client: '10.5.0.1:40000', server: '10.5.0.2:21', ...at(5) }).handshake();
  ftp.send('client', 'USER a\r\nPORT 10,9,9,9,4,1\r\nPASV\r\n').send('server', '227 Entering Passive Mode (10,5,0,2,195,80)\r\n');
  const v2 = [0x80, 0x2e, 1, 0, 2, 0, 3, 0, 0, 0, 32, 1, 0, 0x80, ...new Array<number>(32).fill(0x42)];
  return [
    ...tcpSession({ client: '10.5.0.1:40001', server: '10.5.0.2:135', ...at(1) }).handshake().send('client', concatBytes([bind, req])).close().packets(),
    ...tcpSession({ client: '10.5.0.1:40002', server: '10.5.0.2:445', ...at(2) }).handshake().send('client', concatBytes([nbss(smb2Write(1, bind)), nbss(smb2Transceive(1, req))])).close().packets(),
    udpPacket({ src: '10.5.0.1:5060', dst: '10.5.0.2:5060', payload: 'INVITE sip:b@c SIP/2.0\r\nVia: SIP/2.0/UDP a\r\nCSeq: 1 INVITE\r\n\r\n', tsUs: 33 }),
    ...tcpSession({ client: '10.5.0.1:40003', server: '10.5.0.2:22', ...at(4) }).handshake().send('client', 'SSH-2.0-PuTTY\r\n').send('server', 'SSH-2.0-OpenSSH_9.6\r\n').close().packets(),
    ...ftp.close().packets(),
    ...tcpSession({ client: '10.5.0.1:40004', server: '10.5.0.2:50000', ...at(6) }).handshake().send('server', 'the payload').close().packets(),
    ...tcpSession({ client: '10.5.0.1:40005', server: '10.5.0.2:389', ...at(7) }).handshake().send('client', Uint8Array.of(0x30, 0x84, 0x7f, 0, 0, 0, 2, 1, 1)).close().packets(),
    ...tcpSession({ client: '10.5.0.1:40006', server: '10.5.0.2:443', ...at(8) }).handshake().send('client', Uint8Array.from(v2)).close().packets(),
  ];
}

function tlsSession() {
  const certs = concatBytes([Uint8Array.of(0, (TEST_CERT.length + 3) >> 8, (TEST_CERT.length + 3) & 0xff, 0, TEST_CERT.length >> 8, TEST_CERT.length & 0xff), TEST_CERT]);
  return tcpSession({ client: '10.3.3.3:50000', server: '10.4.4.4:443', startUs: 12 })
    .handshake()
    .send('client', tlsRecords(22, clientHello({ sni: 'www.example.org', groups: [29], pointFormats: [0] })))
    .send('server', tlsRecords(22, concatBytes([serverHello(), tlsHandshake(11, certs), tlsHandshake(14, new Uint8Array(0))]), 300))
    .close()
    .packets();
}

describe('scanning hostile captures', () => {
  const rs = ruleset();

  it('the intact capture reaches the DNS, TLS and tunnel paths the fuzzing below mutates', async () => {
    const sids: number[] = [];
    const scanner = new Scanner(rs, (a) => sids.push(a.sid));
    await scanner.scanCaptureStream((async function* () { yield base; })(), 'base.pcap');
    // A request of two matching questions (one transaction, one alert), and the one inside VXLAN.
    expect(sids.filter((s) => s === 9000006).length).toBe(2);
    expect(sids).toContain(9000007);
    expect(sids).toContain(9000008);
    expect(scanner.counters()['decoder.gre']).toBeGreaterThan(0);
    // DCE/RPC over TCP and over SMB, SIP, SSH, the FTP bounce and data connection, ASN.1, SSLv2.
    expect(sids.filter((s) => s === 9000009).length).toBe(2);
    for (const sid of [9000010, 9000011, 9000012, 9000013, 9000014, 9000015]) expect(sids, String(sid)).toContain(sid);
  });

  it('never throws on bit flips, truncations and garbage', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 1, max: 255 })), { maxLength: 40 }),
        fc.integer({ min: 24, max: base.length }),
        async (flips, cut) => {
          const bytes = base.slice(0, cut);
          for (const [at, x] of flips) if (at >= 24 && at < bytes.length) bytes[at]! ^= x;
          const scanner = new Scanner(rs, () => undefined);
          const r = await scanner.scanCaptureStream((async function* () { yield bytes; })(), 'fuzz.pcap');
          expect(r.unreadable).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });
});
