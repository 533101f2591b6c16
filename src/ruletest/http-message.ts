/**
 * HTTP/1.x messages as parts the variant generators can rewrite (start line, header fields,
 * body) and back to bytes. Only the structure is read: a message that does not split cleanly
 * is left to transport-level variants.
 */

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

export interface HttpMessageParts {
  startLine: Uint8Array;
  /** Each header field as sent, folded continuation lines included (joined by CRLF), no final CRLF. */
  headers: Uint8Array[];
  body: Uint8Array;
}

export interface RequestLine {
  method: Uint8Array;
  target: Uint8Array;
  /** "HTTP/1.1"; null for a simple (HTTP/0.9) request line. */
  version: Uint8Array | null;
}

const latin1 = new TextDecoder('latin1');

export function latin1Text(bytes: Uint8Array): string {
  return latin1.decode(bytes);
}

export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const CRLF = new Uint8Array([CR, LF]);

function indexOfCrlf(data: Uint8Array, from: number): number {
  for (let i = from; i + 1 < data.length; i++) if (data[i] === CR && data[i + 1] === LF) return i;
  return -1;
}

/**
 * Header fields up to the blank line that ends them (continuation lines joined to their field),
 * and the bytes after it; null when no blank line ends the block.
 */
export function splitFieldBlock(data: Uint8Array, from = 0): { fields: Uint8Array[]; rest: Uint8Array } | null {
  const fields: Uint8Array[] = [];
  let at = from;
  for (;;) {
    const end = indexOfCrlf(data, at);
    if (end < 0) return null;
    const line = data.subarray(at, end);
    at = end + 2;
    if (line.length === 0) break;
    const last = fields.length - 1;
    if ((line[0] === SP || line[0] === HT) && last >= 0) fields[last] = concat([fields[last]!, CRLF, line]);
    else fields.push(line);
  }
  return { fields, rest: data.subarray(at) };
}

export function joinFieldBlock(fields: readonly Uint8Array[], rest: Uint8Array): Uint8Array {
  const pieces: Uint8Array[] = [];
  for (const f of fields) pieces.push(f, CRLF);
  pieces.push(CRLF, rest);
  return concat(pieces);
}

/** Splits a message whose head ends with CRLF CRLF; null when it has no such head. */
export function splitHttpMessage(data: Uint8Array): HttpMessageParts | null {
  const lineEnd = indexOfCrlf(data, 0);
  if (lineEnd <= 0) return null;
  const block = splitFieldBlock(data, lineEnd + 2);
  if (block === null) return null;
  return { startLine: data.subarray(0, lineEnd), headers: block.fields, body: block.rest };
}

export function joinHttpMessage(parts: HttpMessageParts): Uint8Array {
  return concat([parts.startLine, CRLF, joinFieldBlock(parts.headers, parts.body)]);
}

/** Method, target and version of a request line separated by single spaces; null otherwise. */
export function splitRequestLine(line: Uint8Array): RequestLine | null {
  const first = line.indexOf(SP);
  if (first <= 0) return null;
  const last = line.lastIndexOf(SP);
  if (last === first) {
    const target = line.subarray(first + 1);
    return target.length > 0 && target.indexOf(HT) < 0 ? { method: line.subarray(0, first), target, version: null } : null;
  }
  const target = line.subarray(first + 1, last);
  const version = line.subarray(last + 1);
  if (target.length === 0 || target.indexOf(SP) >= 0 || !latin1Text(version).startsWith('HTTP/')) return null;
  return { method: line.subarray(0, first), target, version };
}

export function joinRequestLine(r: RequestLine): Uint8Array {
  const sp = new Uint8Array([SP]);
  return r.version === null ? concat([r.method, sp, r.target]) : concat([r.method, sp, r.target, sp, r.version]);
}

/** The field name of a header line (bytes before the colon); '' when it has no colon. */
export function headerName(field: Uint8Array): string {
  const colon = field.indexOf(COLON);
  return colon <= 0 ? '' : latin1Text(field.subarray(0, colon));
}

/** Whether any header of the message has this name (case-insensitive). */
export function hasHeader(headers: readonly Uint8Array[], name: string): boolean {
  const lower = name.toLowerCase();
  return headers.some((h) => headerName(h).toLowerCase() === lower);
}

/**
 * A message from the lines of a case section: head lines up to the first empty line (each
 * ending CRLF, then the blank line), body lines after it joined by CRLF. A body without
 * Content-Length or Transfer-Encoding gets a Content-Length, as any client would send.
 */
export function messageFromLines(lines: readonly Uint8Array[]): Uint8Array {
  const blank = lines.findIndex((l) => l.length === 0);
  const head = blank < 0 ? lines.slice() : lines.slice(0, blank);
  const bodyLines = blank < 0 ? [] : lines.slice(blank + 1);
  const bodyParts: Uint8Array[] = [];
  bodyLines.forEach((l, i) => {
    if (i > 0) bodyParts.push(CRLF);
    bodyParts.push(l);
  });
  const body = concat(bodyParts);
  const headers = head.slice(1);
  if (body.length > 0 && !hasHeader(headers, 'content-length') && !hasHeader(headers, 'transfer-encoding')) {
    head.push(latin1Bytes(`Content-Length: ${body.length}`));
  }
  const pieces: Uint8Array[] = [];
  for (const l of head) pieces.push(l, CRLF);
  pieces.push(CRLF, body);
  return concat(pieces);
}

/** A web-server access-log line cut around its request's method and target. */
export interface LogRequest {
  /** Up to and including the quote that opens the request field. */
  before: Uint8Array;
  method: Uint8Array;
  target: Uint8Array;
  /** From the space before the protocol (or the closing quote) to the end of the line. */
  after: Uint8Array;
}

/**
 * `... [time] "METHOD TARGET HTTP/x.y" ...` as NCSA common and combined logs (and their vhost
 * form) write a request. Null for other lines, and for a target holding an escape (`\xhh`, `\"`):
 * its logged text is not the bytes sent, so it is left as written.
 */
const LOG_REQUEST = /^([^"]*\] ")([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([^ "\\]+)((?: HTTP\/\d\.\d)?" .*|(?: HTTP\/\d\.\d)?"$)/s;

export function splitLogRequest(line: Uint8Array): LogRequest | null {
  const m = LOG_REQUEST.exec(latin1Text(line));
  if (m === null) return null;
  return { before: latin1Bytes(m[1]!), method: latin1Bytes(m[2]!), target: latin1Bytes(m[3]!), after: latin1Bytes(m[4]!) };
}

/** A target as an access log writes it: bytes outside printable ASCII, `"` and `\` as `\xhh` (Apache's escaping). */
export function escapeForAccessLog(target: Uint8Array): Uint8Array {
  let out = '';
  for (const b of target) out += b < 0x21 || b >= 0x7f || b === 0x22 || b === 0x5c ? `\\x${b.toString(16).padStart(2, '0')}` : String.fromCharCode(b);
  return latin1Bytes(out);
}
