import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGrease, ja3String, parseClientHello, parseServerHello, versionName } from '../../../src/app/tls/hello.js';
import { MemoryBudget } from '../../../src/app/accumulator.js';
import { MAX_HANDSHAKE_MESSAGE, newTlsStats, TlsSession, type TlsHello } from '../../../src/app/tls/session.js';
import { certificateList, parseCertificate } from '../../../src/app/tls/x509.js';
import { TEST_CERT } from './fixtures.js';
import { clientHello, concatBytes, serverHello, tlsHandshake, tlsRecords } from '../../../src/traffic/index.js';

const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('latin1'));
const body = (message: Uint8Array): Uint8Array => message.subarray(4);

const HELLO = { sni: 'www.example.org', ciphers: [0x0a0a, 0x1301, 0xc02b], groups: [0x2a2a, 29, 23], pointFormats: [0], extensions: [{ type: 0x3a3a }, { type: 43, data: '\x02\x03\x04' }] };

describe('hellos', () => {
  it('reads the ClientHello fields and its JA3 (GREASE left out)', () => {
    const h = parseClientHello(body(clientHello(HELLO)))!;
    expect(text(h.sni!)).toBe('www.example.org');
    expect(h.ciphers).toEqual([0x0a0a, 0x1301, 0xc02b]);
    expect(h.extensions).toEqual([0, 10, 11, 0x3a3a, 43]);
    expect(ja3String(h)).toBe('771,4865-49195,0-10-11-43,29-23,0');
    expect([0x0a0a, 0xfafa, 0x1a1a].every(isGrease)).toBe(true);
    expect([0x0a0b, 0x1301, 0x0aaa].some(isGrease)).toBe(false);
  });

  it('keeps the first server_name of a hello that sends two, and none longer than 255 bytes (as Suricata)', () => {
    const sniExt = (name: string): { type: number; data: Uint8Array } => {
      const n = Buffer.from(name, 'latin1');
      const entry = Uint8Array.from([0, n.length >> 8, n.length & 255, ...n]);
      return { type: 0, data: Uint8Array.from([entry.length >> 8, entry.length & 255, ...entry]) };
    };
    const two = parseClientHello(body(clientHello({ sni: 'first.example', extensions: [sniExt('second.example')] })))!;
    expect(text(two.sni!)).toBe('first.example');
    const long = parseClientHello(body(clientHello({ sni: `${'a'.repeat(300)}.example` })))!;
    expect(long.sni).toBeNull();
  });

  it('keeps what came before a malformed extension (SNI and fingerprint so far), as Suricata keeps what it decoded', () => {
    // ec_point_formats declaring 5 formats but holding 1; an ALPN list longer than its extension.
    for (const bad of [{ type: 11, data: '\x05\x00' }, { type: 16, data: '\x00\x0a\x02h2' }]) {
      const h = parseClientHello(body(clientHello({ sni: 'evil.bad.example', ciphers: [0x1301], groups: [29], pointFormats: [], extensions: [bad, { type: 43, data: '\x02\x03\x04' }] })))!;
      expect(text(h.sni!)).toBe('evil.bad.example');
      expect(h.truncated).toBe(true);
      // The broken extension and those after it are not in the fingerprint.
      expect(h.extensions).toEqual([0, 10, 11]);
      expect(ja3String(h)).toBe('771,4865,0-10-11,29,');
    }
    const whole = parseClientHello(body(clientHello({ sni: 'ok.example' })))!;
    expect(whole.truncated).toBe(false);
  });

  it("names versions as Suricata's EVE does (SSLv3, TLSv1, TLS 1.1 ...)", () => {
    expect([0x0200, 0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x7f1c].map(versionName)).toEqual(['SSLv2', 'SSLv3', 'TLSv1', 'TLS 1.1', 'TLS 1.2', 'TLS 1.3', '0x7f1c']);
  });

  it('reads the ServerHello version from supported_versions', () => {
    const h = parseServerHello(body(serverHello({ cipher: 0x1301, extensions: [{ type: 43, data: '\x03\x04' }] })))!;
    expect(h).toEqual({ version: 0x0303, cipher: 0x1301, extensions: [43], negotiated: 0x0304, random: new Uint8Array(32).fill(9), truncated: false });
  });

  it('property: truncated and random hellos give null or a hello, never throw', () => {
    const whole = body(clientHello(HELLO));
    for (let n = 0; n < whole.length; n++) parseClientHello(whole.subarray(0, n));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        parseClientHello(b);
        parseServerHello(b);
      }),
      { numRuns: 2000 },
    );
  });
});

function session(budget = new MemoryBudget(1 << 24)): { s: TlsSession; hellos: TlsHello[]; stats: ReturnType<typeof newTlsStats> } {
  const hellos: TlsHello[] = [];
  const stats = newTlsStats();
  return { s: new TlsSession({ stats, budget, emit: (h) => hellos.push(h) }), hellos, stats };
}

describe('TlsSession', () => {
  const client = tlsRecords(22, clientHello(HELLO));
  const server = concatBytes([tlsRecords(22, concatBytes([serverHello(), tlsHandshake(11, new Uint8Array(3000)), tlsHandshake(14, new Uint8Array(0))]), 1000), tlsRecords(20, Uint8Array.of(1)), tlsRecords(23, new Uint8Array(500))]);

  it('property: any cutting of the streams into chunks gives the same hellos', () => {
    const cuts = (n: number) => fc.uniqueArray(fc.integer({ min: 1, max: n - 1 }), { maxLength: 12 }).map((a) => [...a].sort((x, y) => x - y));
    fc.assert(
      fc.property(cuts(client.length), cuts(server.length), (cc, sc) => {
        const { s, hellos, stats } = session();
        const feed = (toServer: boolean, data: Uint8Array, at: number[]) => {
          let prev = 0;
          for (const c of [...at, data.length]) {
            s.data(toServer, data.subarray(prev, c));
            prev = c;
          }
        };
        feed(true, client, cc);
        feed(false, server, sc);
        expect(hellos.map((h) => [h.side, text(h.buffer('tls.sni'))])).toEqual([
          ['client', 'www.example.org'],
          ['server', 'www.example.org'],
        ]);
        expect(text(hellos[0]!.buffer('ja3.hash'))).toBe(createHash('md5').update('771,4865-49195,0-10-11-43,29-23,0').digest('hex'));
        expect(text(hellos[1]!.buffer('ja3s.string'))).toBe('771,49199,');
        expect(stats.encryptedBytes).toBe(1 + 500);
        expect(stats.parseErrors).toBe(0);
      }),
    );
  });

  it('a ClientHello spread over several records is rebuilt', () => {
    const { s, hellos } = session();
    s.data(true, tlsRecords(22, clientHello({ sni: 'split.example' }), 7));
    expect(hellos.map((h) => text(h.buffer('tls.sni')))).toEqual(['split.example']);
  });

  it('stops on bytes that are not TLS records, on oversized messages and at gaps', () => {
    const a = session();
    a.s.data(true, Uint8Array.from([0x47, 0x45, 0x54, 0x20, 0x2f, 0x20]));
    a.s.data(true, client);
    expect(a.hellos).toEqual([]);
    expect(a.stats.parseErrors).toBe(1);

    const b = session();
    const huge = MAX_HANDSHAKE_MESSAGE + 1;
    b.s.data(true, Uint8Array.from([22, 3, 1, 0, 4, 1, huge >> 16, (huge >> 8) & 0xff, huge & 0xff]));
    expect(b.stats.parseErrors).toBe(1);

    // A message declared large but not sent holds no memory beyond what arrived; past the
    // shared budget the direction is given up, and everything is given back at the end.
    const budget = new MemoryBudget(1000);
    const d = session(budget);
    d.s.data(true, Uint8Array.from([22, 3, 1, 0x40, 0, 1, 0, 0xff, 0xff]));
    expect(budget.used).toBeLessThanOrEqual(1000);
    d.s.data(true, new Uint8Array(0x3ffc).fill(1));
    expect(d.stats.parseErrors).toBe(1);
    expect(budget.used).toBe(0);
    const e = session(budget);
    e.s.data(true, Uint8Array.from([22, 3, 1, 0, 40, 1, 0, 1, 0, 7, 7, 7]));
    expect(budget.used).toBeGreaterThan(0);
    e.s.end();
    expect(budget.used).toBe(0);

    const c = session();
    c.s.data(true, client.subarray(0, 20));
    c.s.gap(true);
    c.s.data(true, client.subarray(20));
    expect(c.hellos).toEqual([]);
    expect(c.stats.parseErrors).toBe(1);
  });

  it('exposes EVE metadata', () => {
    const { s, hellos } = session();
    s.data(true, client);
    expect(hellos[0]!.meta()).toMatchObject({ sni: 'www.example.org', version: 'TLS 1.2', ja3: { string: '771,4865-49195,0-10-11-43,29-23,0' } });
  });
});

describe('certificates', () => {
  it('reads subject, issuer, serial and fingerprint as Suricata writes them', () => {
    expect(parseCertificate(TEST_CERT)).toEqual({
      subject: 'C=US, ST=Arizona, L=Phoenix, O=Evil Corp, OU=Ops + OU=Red, CN=*.coin-hive.com',
      issuer: 'C=US, ST=Arizona, L=Phoenix, O=Evil Corp, OU=Ops + OU=Red, CN=*.coin-hive.com',
      serial: '0C:9A:41',
      fingerprint: '53:43:b1:7e:ba:3c:a4:bc:3e:78:e5:3a:0c:e9:8f:26:2a:cd:04:21',
    });
  });

  it('property: truncated or corrupted certificates give null or fields, never throw', () => {
    for (let n = 0; n < TEST_CERT.length; n += 7) parseCertificate(TEST_CERT.subarray(0, n));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: TEST_CERT.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, v) => {
        const bad = Uint8Array.from(TEST_CERT);
        bad[at] = v;
        parseCertificate(bad);
        certificateList(bad);
      }),
      { numRuns: 1000 },
    );
  });

  it('the server side carries the chain: every certificate for tls.certs, the first for the fields', () => {
    const { s, hellos, stats } = session();
    const other = Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x05]);
    const list = concatBytes([Uint8Array.from([0, 0, 0, 0, (TEST_CERT.length >> 8) & 0xff, TEST_CERT.length & 0xff]), TEST_CERT, Uint8Array.from([0, 0, other.length]), other]);
    list[1] = ((list.length - 3) >> 8) & 0xff;
    list[2] = (list.length - 3) & 0xff;
    s.data(true, tlsRecords(22, clientHello({ sni: 'x.example' })));
    s.data(false, tlsRecords(22, concatBytes([serverHello(), tlsHandshake(11, list), tlsHandshake(14, new Uint8Array(0))]), 300));
    expect(stats.certificates).toBe(2);
    const [, first, second] = hellos;
    expect(text(first!.buffer('tls.cert_subject'))).toContain('CN=*.coin-hive.com');
    expect(text(first!.buffer('tls.cert_serial'))).toBe('0C:9A:41');
    expect(first!.buffer('tls.certs')).toEqual(Uint8Array.from(TEST_CERT));
    expect(second!.buffer('tls.certs')).toEqual(other);
    expect(second!.buffer('tls.cert_subject')).toBeUndefined();
    expect(second!.buffer('ja3s.hash')).toBeUndefined();
    expect(first!.meta()).toMatchObject({ sni: 'x.example', issuerdn: 'C=US, ST=Arizona, L=Phoenix, O=Evil Corp, OU=Ops + OU=Red, CN=*.coin-hive.com', serial: '0C:9A:41' });
  });
});
