import { EMPTY, HT, SP, ascii, isHtpSpace, isSpaceOrTab, isTchar, skipOws, startsWithLower, trimEndWs, viewOf } from '../bytes.js';
import type { AnomalyList, HttpAnomaly } from '../anomalies.js';
import { parseHeaderFields, type HeaderField, type LineEnds } from './headers.js';

const NO_FIELDS: HeaderField[] = [];

/**
 * One HTTP message as received: its head (start line plus header block, kept as one copy so
 * every header buffer is a view into it) and its body (dechunked, bounded).
 */
export abstract class HttpMessage {
  /** Start line and header block as received, possibly cut at the configured bounds. */
  head: Uint8Array = EMPTY;
  /** End of the start line's content (before CR LF) within head. */
  lineEnd = 0;
  /** Start of the header block within head. */
  headersStart = 0;
  fields: HeaderField[] = NO_FIELDS;
  /** Body bytes kept for inspection (dechunked, still content-encoded). */
  body: Uint8Array | null = null;
  /** Body bytes seen in total, kept or not (dechunked). */
  bodyLength = 0;
  /** The body went past the inspection limit; only its start is kept. */
  bodyTruncated = false;
  /** Content-Encoding to undo for inspection (ENC_*). */
  encoding = 0;
  /** The whole message (head and body) was seen. */
  complete = false;
  /** Headers parsed (a message cut off during its head still gets its fields). */
  headParsed = false;

  /** `lineEnds`: the header block's line ends when the caller already found them. */
  setHead(head: Uint8Array, lineEnd: number, headersStart: number, anomalies: AnomalyList<HttpAnomaly>, lineEnds: LineEnds | null = null): void {
    this.head = head;
    this.lineEnd = lineEnd;
    this.headersStart = headersStart;
    this.fields = parseHeaderFields(head, headersStart, head.length, anomalies, lineEnds, this.splitsColonFolds());
    this.headParsed = true;
  }

  /** Whether a folded line holding a colon starts a field of its own (see parseHeaderFields). */
  protected splitsColonFolds(): boolean {
    return false;
  }

  startLine(): Uint8Array {
    return viewOf(this.head, 0, this.lineEnd);
  }

  /** The header block as received, blank line included (Suricata's http.header.raw). */
  rawHeaders(): Uint8Array {
    return this.head.subarray(this.headersStart);
  }
}

const HTTP_SLASH = ascii('http/');

/** Methods of HTTP/1.1, WebDAV (RFC 4918, 3253, 3648, 5323), Exchange and common extensions. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH',
  'VERSION-CONTROL', 'REPORT', 'CHECKOUT', 'CHECKIN', 'UNCHECKOUT', 'MKWORKSPACE', 'UPDATE',
  'LABEL', 'MERGE', 'BASELINE-CONTROL', 'MKACTIVITY', 'ORDERPATCH', 'ACL', 'MKCALENDAR',
  'BIND', 'UNBIND', 'REBIND', 'MKREDIRECTREF', 'UPDATEREDIRECTREF',
  'SUBSCRIBE', 'UNSUBSCRIBE', 'POLL', 'NOTIFY', 'BMOVE', 'BCOPY', 'BDELETE', 'BPROPFIND',
  'BPROPPATCH', 'X-MS-ENUMATTS', 'RPC_IN_DATA', 'RPC_OUT_DATA', 'PURGE', 'LINK', 'UNLINK',
]);

/** The longest method token accepted when telling a request line from other text. */
export const MAX_METHOD_LENGTH = 32;

/** Known methods as bytes, grouped by length: checking a method allocates nothing. */
const METHODS_BY_LENGTH: Uint8Array[][] = [];
for (const m of KNOWN_METHODS) (METHODS_BY_LENGTH[m.length] ??= []).push(ascii(m));

/** buf[start..end) is a known method, exactly (methods are case-sensitive). */
export function isKnownMethod(buf: Uint8Array, start: number, end: number): boolean {
  const list = METHODS_BY_LENGTH[end - start];
  if (list === undefined) return false;
  outer: for (const m of list) {
    for (let i = 0; i < m.length; i++) if (buf[start + i] !== m[i]) continue outer;
    return true;
  }
  return false;
}

/** The line buf[start..end) ends in whitespace + "HTTP/..." (case-insensitive): headers follow. */
export function hasProtocolAtEnd(buf: Uint8Array, start: number, end: number): boolean {
  end = trimEndWs(buf, start, end);
  let sp = end - 1;
  while (sp >= start && !isSpaceOrTab(buf[sp]!)) sp--;
  return sp >= start && startsWithLower(buf, sp + 1, HTTP_SLASH);
}

const HTTP = ascii('http');

/**
 * Whether buf[start..end) (a response's first line, or a line's start) is taken for a status
 * line: after blanks and NULs, "http" in any case; libhtp's htp_treat_response_line_as_body asks
 * no more (browsers read "HTTP 200 OK" as a status line too). Anything else is response body.
 */
export function looksLikeStatusLine(buf: Uint8Array, start: number, end: number): boolean {
  let s = start;
  while (s < end && isBlankOrNul(buf[s]!)) s++;
  return end - s >= HTTP.length && startsWithLower(buf, s, HTTP);
}

/** Index of the first byte in [start, end) that is not htp_is_space (end if none). */
function skipHtpSpace(buf: Uint8Array, start: number, end: number): number {
  while (start < end && isHtpSpace(buf[start]!)) start++;
  return start;
}

/** libhtp's htp_is_space (SP HT CR LF VT FF), plus NUL, as htp_treat_response_line_as_body skips them. */
function isBlankOrNul(b: number): boolean {
  return b === SP || (b >= 0x09 && b <= 0x0d) || b === 0;
}

/** Whether buf[from..] holds anything but libhtp's blanks (htp_is_space: SP HT CR LF VT FF). */
export function moreThanBlanks(buf: Uint8Array, from: number): boolean {
  for (let i = from; i < buf.length; i++) {
    const b = buf[i]!;
    if (b !== SP && (b < 0x09 || b > 0x0d)) return true;
  }
  return false;
}

export class HttpRequest extends HttpMessage {
  method: Uint8Array = EMPTY;
  target: Uint8Array = EMPTY;
  /** "HTTP/1.1" as sent; null for a request line without one. */
  protocol: Uint8Array | null = null;
  /**
   * An HTTP/0.9 request: a line without a protocol and nothing after it but blanks. A line
   * without a protocol followed by more is libhtp's "missing protocol": headers follow.
   */
  http09 = false;
  /** Set when the line was longer than its bound: the kept line is a prefix. */
  lineTruncated = false;

  /**
   * Splits the request line head[0..lineEnd). When the line was cut at its bound, `tail` holds
   * its last bytes, from which the protocol is still recovered. `lineOnly`: nothing followed the
   * line, so one without a protocol is HTTP/0.9.
   */
  parseLine(anomalies: AnomalyList<HttpAnomaly>, tail: Uint8Array | null, lineOnly = false): void {
    const h = this.head;
    let e = this.lineEnd;
    // As libhtp (htp_parse_request_line_generic_ex): whitespace before the method is skipped
    // ("IIS allows this") and flagged; the method runs to the next htp_is_space byte, and any of
    // them (VT and FF too) may separate it from the target. The line itself stays as sent.
    const s = skipHtpSpace(h, 0, e);
    if (s > 0) anomalies.add('http.request_line_leading_whitespace');
    let me = s;
    while (me < e && !isHtpSpace(h[me]!)) me++;
    this.method = viewOf(h, s, me);
    let methodOk = me > s;
    for (let i = s; i < me && methodOk; i++) if (!isTchar(h[i]!)) methodOk = false;
    if (!methodOk) anomalies.add('http.request_line_invalid');
    else if (!isKnownMethod(h, s, me)) anomalies.add('http.method_unknown');

    const ts = skipHtpSpace(h, me, e);
    if (ts - me > 1 || (ts > me && !isSpaceOrTab(h[me]!))) anomalies.add('http.request_line_invalid');
    if (tail !== null) {
      this.lineTruncated = true;
      anomalies.add('http.request_line_too_long');
      this.target = viewOf(h, ts, e);
      this.protocol = protocolAtEnd(tail, 0, trimEndWs(tail, 0, tail.length), true);
    } else {
      const te0 = trimEndWs(h, ts, e);
      if (te0 < e && te0 > ts) anomalies.add('http.request_line_invalid');
      e = te0;
      let lastSp = e - 1;
      while (lastSp >= ts && !isSpaceOrTab(h[lastSp]!)) lastSp--;
      if (lastSp >= ts && startsWithLower(h, lastSp + 1, HTTP_SLASH)) {
        this.protocol = viewOf(h, lastSp + 1, e);
        this.target = viewOf(h, ts, trimEndWs(h, ts, lastSp));
      } else {
        this.target = viewOf(h, ts, e);
      }
    }
    if (this.protocol === null) {
      this.http09 = lineOnly;
      // Headers after a line without a protocol: libhtp's "Request line: missing protocol".
      anomalies.add(lineOnly ? 'http.http09_request' : 'http.request_line_invalid');
    } else if (!isValidProtocol(this.protocol)) {
      anomalies.add('http.protocol_invalid');
    }
    if (this.target.length === 0) anomalies.add('http.request_line_invalid');
    else if (this.target.indexOf(SP) >= 0 || this.target.indexOf(HT) >= 0) anomalies.add('http.uri.space');
  }
}

export class HttpResponse extends HttpMessage {
  protocol: Uint8Array = EMPTY;
  statusCode: Uint8Array = EMPTY;
  statusMsg: Uint8Array = EMPTY;
  /** Numeric status, -1 when the line carries none that parses. */
  status = -1;

  /**
   * An interim (1xx) response keeps its status line only: libhtp clears its headers before the
   * final response's line (htp_connp_RES_BODY_DETERMINE), so no rule reads them.
   */
  dropHeaders(): void {
    this.fields = NO_FIELDS;
    this.headParsed = false;
  }

  /** libhtp's RES_HEADERS does this for HTTP/1.1 responses only. */
  protected override splitsColonFolds(): boolean {
    const p = this.protocol;
    return isValidProtocol(p) && p[5] === 0x31 && p[7] === 0x31;
  }

  parseLine(anomalies: AnomalyList<HttpAnomaly>, truncated: boolean): void {
    const h = this.head;
    const e = trimEndWs(h, 0, this.lineEnd);
    if (truncated) anomalies.add('http.response_line_too_long');
    const s = skipOws(h, 0, e);
    let pe = s;
    while (pe < e && !isSpaceOrTab(h[pe]!)) pe++;
    this.protocol = viewOf(h, s, pe);
    if (!isValidProtocol(this.protocol)) anomalies.add('http.protocol_invalid');
    const cs = skipOws(h, pe, e);
    let ce = cs;
    while (ce < e && !isSpaceOrTab(h[ce]!)) ce++;
    this.statusCode = viewOf(h, cs, ce);
    this.statusMsg = viewOf(h, skipOws(h, ce, e), e);
    let v = 0;
    let ok = ce - cs === 3;
    for (let i = cs; i < ce && ok; i++) {
      const d = h[i]! - 0x30;
      if (d < 0 || d > 9) ok = false;
      else v = v * 10 + d;
    }
    if (ok && v >= 100) this.status = v;
    else anomalies.add('http.status_invalid');
  }
}

/** "HTTP/" followed by digit "." digit, exactly. */
export function isValidProtocol(p: Uint8Array): boolean {
  return (
    p.length === 8 &&
    p[0] === 0x48 &&
    p[1] === 0x54 &&
    p[2] === 0x54 &&
    p[3] === 0x50 &&
    p[4] === 0x2f &&
    p[5]! >= 0x30 &&
    p[5]! <= 0x39 &&
    p[6] === 0x2e &&
    p[7]! >= 0x30 &&
    p[7]! <= 0x39
  );
}

/** A copy of the " HTTP/x.y" token ending buf[..end), or null. */
function protocolAtEnd(buf: Uint8Array, start: number, end: number, copy: boolean): Uint8Array | null {
  let sp = end - 1;
  while (sp >= start && !isSpaceOrTab(buf[sp]!)) sp--;
  if (sp < start || !startsWithLower(buf, sp + 1, HTTP_SLASH)) return null;
  const p = buf.subarray(sp + 1, end);
  return copy ? p.slice() : p;
}

export function asciiString(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
  return s;
}
