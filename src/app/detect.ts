import { CR, HT, LF, SP, ascii, isHtpSpace, isTchar, lowerAscii, skipLineSpace, startsWithLower } from './bytes.js';
import { KNOWN_METHODS, MAX_METHOD_LENGTH, asciiString } from './http/message.js';

/**
 * Application protocol detection by content, whatever the port. Each direction's first bytes
 * give a verdict: a protocol, "more" (cannot tell yet), or "none"; towards the server also
 * "http-if-answered" (HTTP if the server's first bytes are HTTP, see oddRequestLine).
 */
export type Verdict = 'http' | 'http-if-answered' | 'smtp' | 'tls' | 'sip' | LabelledProtocol | 'more' | 'none';

/**
 * Protocols recognised by their first bytes whose rules read the stream's own bytes (`alert
 * ftp|smb|ssh|dcerpc`), each flow counted by its name. app/ reads only part of their traffic:
 * FTP's data-connection announcements, SMB's writes to named pipes, SSH's identification lines,
 * DCE/RPC's binds and requests.
 */
export const LABELLED_PROTOCOLS = ['ftp', 'smb', 'ssh', 'dcerpc'] as const;
export type LabelledProtocol = (typeof LABELLED_PROTOCOLS)[number];

const HTTP_SLASH = ascii('http/');
const SIP_SLASH = ascii('sip/2.0 ');
const FTP_HINT = ascii('ftp');
const SMTP_CLIENT_START = [ascii('helo'), ascii('ehlo'), ascii('mail from:'), ascii('rcpt to:')];
/** Suricata's FTP detection patterns towards the server (case-insensitive, at the start). */
const FTP_CLIENT_START = [ascii('user '), ascii('pass '), ascii('port '), ascii('feat')];
const SSH_BANNER = ascii('SSH-');

/** How far a client line is searched for " HTTP/x.y" when its method is not a known one. */
export const DETECT_LINE_LIMIT = 1 << 20;

/**
 * Client-to-server bytes: a request line (known method, or any token whose line ends in
 * " HTTP/x.y", as WebDAV and extension methods do), or an SMTP HELO/EHLO. A first line that only
 * libhtp's lenient reading takes for a request line is HTTP when the server answers with a
 * status line (see oddRequestLine).
 */
export function detectToServer(buf: Uint8Array): Verdict {
  const tls = buf.length > 0 && (buf[0]! & 0x80) !== 0 ? detectSsl2Hello(buf, SSL2_CLIENT_HELLO) : detectTlsRecord(buf, HS_CLIENT_HELLO);
  if (tls === 'tls') return tls;
  // An SSLv2 record header and a NetBIOS frame both start with a byte of 0x80 or more.
  const binary = detectBinary(buf);
  if (binary !== 'none') return binary;
  if (tls === 'more') return tls;
  let s = 0;
  while (s < buf.length && (buf[s] === CR || buf[s] === LF)) s++;
  if (s === buf.length) return 'more';
  let e = s;
  while (e < buf.length && e - s <= MAX_METHOD_LENGTH && isTchar(buf[e]!)) e++;
  if (e === buf.length) return e - s <= MAX_METHOD_LENGTH ? 'more' : oddRequestLine(buf, s);
  if (e === s) return oddRequestLine(buf, s);
  const sep = buf[e]!;
  for (const p of SMTP_CLIENT_START) {
    if (startsWithLower(buf, s, p) && (s + p.length === buf.length || isLineSep(buf[s + p.length]!) || p[p.length - 1] === 0x3a)) {
      return 'smtp';
    }
  }
  for (const p of FTP_CLIENT_START) if (startsWithLower(buf, s, p)) return 'ftp';
  if (sep !== SP && sep !== HT) return oddRequestLine(buf, s);
  const method = asciiString(buf, s, e).toUpperCase();
  // OPTIONS starts SIP requests too: its line's end tells them apart.
  if (KNOWN_METHODS.has(method) && method !== 'OPTIONS') return 'http';
  // Unknown token: only a full request line ending in a protocol version makes it HTTP or SIP.
  const nl = buf.indexOf(LF, e);
  if (nl < 0) return buf.length - s > DETECT_LINE_LIMIT ? 'none' : 'more';
  let end = nl;
  if (end > e && buf[end - 1] === CR) end--;
  if (endsWithSipVersion(buf, e, end)) return 'sip';
  return method === 'OPTIONS' || endsWithHttpVersion(buf, e, end) ? 'http' : oddRequestLine(buf, s);
}

/**
 * A first line the checks above turn down that libhtp still reads as a request line
 * (htp_parse_request_line_generic_ex): whitespace before the method (SP, HT, VT, FF, CR: IIS
 * serves such requests), a method longer than MAX_METHOD_LENGTH or made of other visible bytes,
 * VT, FF or CR between method and target, no protocol. Suricata detects HTTP towards the server
 * by a known method at the very start only, and such flows by the server's "HTTP/1.x" status
 * line, after which libhtp parses the request as sent.
 *
 * Ending in " HTTP/x.y", the line is HTTP on its own, as an unknown method's line is: that is the
 * request line's own shape. Without it, "token, blanks, target" is also how the first line of
 * many text protocols looks (IRC, chat, memcached, Redis inline commands), so it is only
 * `http-if-answered`: its bytes wait for the server's first bytes, and a status line makes the
 * flow HTTP with the request parsed; anything else leaves the flow undetected. A line
 * with a byte that is neither visible ASCII nor blank in its method, or with nothing after the
 * method, is no request line (binary protocols are turned down at once).
 */
function oddRequestLine(buf: Uint8Array, from: number): Verdict {
  const n = buf.length;
  const wait: Verdict = n - from > DETECT_LINE_LIMIT ? 'none' : 'more';
  let m = from;
  while (m < n && isHtpSpace(buf[m]!)) m++;
  let me = m;
  while (me < n && buf[me]! > SP && buf[me]! < 0x7f) me++;
  if (me === n) return wait;
  // No method (a byte neither visible nor blank first), such a byte in it, or nothing after it.
  if (me === m || !isHtpSpace(buf[me]!) || buf[me] === LF) return 'none';
  const t = skipLineSpace(buf, me, n);
  if (t === n) return wait;
  if (buf[t] === LF) return 'none';
  const nl = buf.indexOf(LF, t);
  if (nl < 0) return wait;
  let end = nl;
  if (end > t && buf[end - 1] === CR) end--;
  return endsWithHttpVersion(buf, t, end) ? 'http' : 'http-if-answered';
}

const SIP_VERSION = ascii(' sip/2.0');

function endsWithSipVersion(buf: Uint8Array, start: number, end: number): boolean {
  const n = SIP_VERSION.length;
  if (end - start < n) return false;
  for (let i = 0; i < n; i++) if (lowerAscii(buf[end - n + i]!) !== SIP_VERSION[i]) return false;
  return true;
}

/** Server-to-client bytes: a status line "HTTP/1.x NNN", or an SMTP "220" greeting. */
export function detectToClient(buf: Uint8Array): Verdict {
  const tls = buf.length > 0 && (buf[0]! & 0x80) !== 0 ? detectSsl2Hello(buf, SSL2_SERVER_HELLO) : detectTlsRecord(buf, HS_SERVER_HELLO);
  if (tls === 'tls') return tls;
  // An SSLv2 record header and a NetBIOS frame both start with a byte of 0x80 or more.
  const binary = detectBinary(buf);
  if (binary !== 'none') return binary;
  if (tls === 'more') return tls;
  let s = 0;
  while (s < buf.length && (buf[s] === CR || buf[s] === LF)) s++;
  const avail = buf.length - s;
  if (avail === 0) return 'more';
  if (isPrefixLower(buf, s, SIP_SLASH)) {
    if (avail < SIP_SLASH.length) return 'more';
    return 'sip';
  }
  if (isPrefixLower(buf, s, HTTP_SLASH)) {
    if (avail < 9) return 'more';
    return buf[s + 5]! >= 0x30 && buf[s + 5]! <= 0x39 ? 'http' : 'none';
  }
  if (buf[s] === 0x32 && (avail < 2 || buf[s + 1] === 0x32) && (avail < 3 || buf[s + 2] === 0x30)) {
    if (avail < 4) return 'more';
    if (buf[s + 3] !== SP && buf[s + 3] !== 0x2d) return 'none';
    // "220" also greets FTP clients: look at the greeting text.
    const nl = buf.indexOf(LF, s);
    if (nl < 0 && avail < 4096) return 'more';
    const end = nl < 0 ? buf.length : nl;
    return containsLower(buf, s, end, FTP_HINT) || buf[s + 4] === 0x28 ? 'ftp' : 'smtp';
  }
  return 'none';
}

/**
 * Either direction's binary or banner starts: an SSH banner ("SSH-"), or SMB (SMB1 `\xffSMB`,
 * SMB2 `\xfeSMB`, SMB3 transform `\xfdSMB`) in a NetBIOS session message, after at most a few
 * short NetBIOS session requests, responses or keepalives (port 139).
 */
function detectBinary(buf: Uint8Array): Verdict {
  if (buf.length === 0) return 'more';
  if (buf[0] === DCERPC_VERSION) return detectDcerpc(buf);
  if (buf[0] === 0x53) {
    const n = Math.min(buf.length, SSH_BANNER.length);
    for (let i = 0; i < n; i++) if (buf[i] !== SSH_BANNER[i]) return 'none';
    return n === SSH_BANNER.length ? 'ssh' : 'more';
  }
  let at = 0;
  for (let frames = 0; frames < 4; frames++) {
    if (buf.length - at < 4) return 'more';
    const type = buf[at]!;
    const length = ((buf[at + 1]! & 1) << 16) | (buf[at + 2]! << 8) | buf[at + 3]!;
    if (type === 0x00) {
      if (buf.length - at < 8) return 'more';
      const magic = buf[at + 4]!;
      return (magic === 0xff || magic === 0xfe || magic === 0xfd) && buf[at + 5] === 0x53 && buf[at + 6] === 0x4d && buf[at + 7] === 0x42 ? 'smb' : 'none';
    }
    // Session request, positive/negative response, retarget, keepalive: small frames.
    if (type < 0x81 || type > 0x85 || length > 256) return 'none';
    at += 4 + length;
  }
  return 'none';
}

const DCERPC_VERSION = 5;
/** Connection-oriented DCE/RPC PDUs that open a conversation: bind, bind_ack, bind_nak, alter_context, alter_context_resp. */
const DCERPC_OPENING_TYPES = new Set([11, 12, 13, 14, 15]);

/**
 * A connection-oriented DCE/RPC PDU header (DCE 1.1 chapter 12): version 5.0 or 5.1, a bind or
 * alter-context type (a conversation starts with one, either side), the data representation's
 * character and float formats as Windows and Samba send them (ASCII, IEEE), and a fragment length
 * that holds at least the 16-byte header. MSRPC on port 135 and the dynamic ports it hands out.
 */
function detectDcerpc(buf: Uint8Array): Verdict {
  if (buf.length > 1 && buf[1]! > 1) return 'none';
  if (buf.length > 2 && !DCERPC_OPENING_TYPES.has(buf[2]!)) return 'none';
  if (buf.length < 10) return 'more';
  if ((buf[4]! & 0xef) !== 0 || buf[5] !== 0) return 'none';
  const fragLength = (buf[4]! & 0x10) !== 0 ? buf[8]! | (buf[9]! << 8) : (buf[8]! << 8) | buf[9]!;
  return fragLength >= 16 ? 'dcerpc' : 'none';
}

const HS_CLIENT_HELLO = 1;
const HS_SERVER_HELLO = 2;

/**
 * A TLS handshake record carrying the expected hello: content type 22, version 3.x (SSL 3.0 to
 * TLS 1.3's legacy 3.1), then the hello's handshake type. No text protocol starts with 0x16.
 */
function detectTlsRecord(buf: Uint8Array, hello: number): Verdict {
  if (buf.length === 0 || buf[0] !== 0x16) return 'none';
  if (buf.length < 6) return 'more';
  return buf[1] === 3 && buf[2]! <= 4 && buf[5] === hello ? 'tls' : 'none';
}

const SSL2_CLIENT_HELLO = 1;
const SSL2_SERVER_HELLO = 4;

/**
 * An SSLv2 hello in a two-byte-header record (top bit set): CLIENT-HELLO (type 1, version at
 * body offset 1, at least 9 bytes) or SERVER-HELLO (type 4, version at offset 3, at least 11),
 * version SSL 2.0 (0x0002), or 3.x for the SSLv2-compatible hellos of SSL 3.0 and TLS clients.
 * NetBIOS session frames (0x81-0x85) never have a 1 or 4 and such a version there.
 */
function detectSsl2Hello(buf: Uint8Array, type: number): Verdict {
  const versionAt = type === SSL2_CLIENT_HELLO ? 3 : 5;
  if (buf.length > 2 && buf[2] !== type) return 'none';
  if (buf.length < versionAt + 2) return 'more';
  const length = ((buf[0]! & 0x7f) << 8) | buf[1]!;
  if (length < (type === SSL2_CLIENT_HELLO ? 9 : 11)) return 'none';
  const major = buf[versionAt]!;
  const minor = buf[versionAt + 1]!;
  return (major === 0 && minor === 2) || (major === 3 && minor <= 4) ? 'tls' : 'none';
}

function isLineSep(b: number): boolean {
  return b === SP || b === HT || b === CR || b === LF;
}

/** buf[start..] is a (possibly partial) case-insensitive prefix of `lower`, or starts with it. */
function isPrefixLower(buf: Uint8Array, start: number, lower: Uint8Array): boolean {
  const n = Math.min(lower.length, buf.length - start);
  for (let i = 0; i < n; i++) if (lowerAscii(buf[start + i]!) !== lower[i]) return false;
  return true;
}

function containsLower(buf: Uint8Array, start: number, end: number, lower: Uint8Array): boolean {
  for (let i = start; i + lower.length <= end; i++) if (startsWithLower(buf, i, lower)) return true;
  return false;
}

/** The line buf[from..end) ends with whitespace + "HTTP/" digit "." digit. */
function endsWithHttpVersion(buf: Uint8Array, from: number, end: number): boolean {
  while (end > from && (buf[end - 1] === SP || buf[end - 1] === HT)) end--;
  const p = end - 8;
  if (p <= from) return false;
  if (buf[p - 1] !== SP && buf[p - 1] !== HT) return false;
  return (
    startsWithLower(buf, p, HTTP_SLASH) &&
    buf[p + 5]! >= 0x30 &&
    buf[p + 5]! <= 0x39 &&
    buf[p + 6] === 0x2e &&
    buf[p + 7]! >= 0x30 &&
    buf[p + 7]! <= 0x39
  );
}

/** How much of a stream picked up in the middle is searched for a message start. */
export const MIDSTREAM_SEARCH_LIMIT = 64 * 1024;

/**
 * For a direction whose start was not captured: the verdict of the first line start that
 * looks like a message start (request line or SMTP command to the server, status line to
 * the client), searching up to MIDSTREAM_SEARCH_LIMIT bytes.
 */
export function detectMidstream(buf: Uint8Array, toServer: boolean): Verdict {
  let ls = 0;
  const n = Math.min(buf.length, MIDSTREAM_SEARCH_LIMIT);
  while (ls < n) {
    const rest = buf.subarray(ls);
    const v = toServer ? detectToServer(rest) : detectStatusLine(rest);
    // A TLS record is recognised only where the direction's data starts (records are binary).
    if (v === 'http' || v === 'smtp' || (v === 'tls' && ls === 0)) return v;
    const nl = buf.indexOf(LF, ls);
    if (nl < 0) return v === 'more' || buf.length < MIDSTREAM_SEARCH_LIMIT ? 'more' : 'none';
    ls = nl + 1;
  }
  return buf.length < MIDSTREAM_SEARCH_LIMIT ? 'more' : 'none';
}

function detectStatusLine(buf: Uint8Array): Verdict {
  if (!isPrefixLower(buf, 0, HTTP_SLASH)) return 'none';
  if (buf.length < 9) return 'more';
  return buf[5]! >= 0x30 && buf[5]! <= 0x39 ? 'http' : 'none';
}
