/**
 * A message body sent again with the chunked transfer coding. The receiving application gets the
 * same body (servers, and libhtp for the engine, dechunk it), but on the wire the body is cut by
 * size lines, so a pattern a rule looks for in the raw stream can be broken anywhere.
 *
 * Only size lines every common reader takes are written: hex digits in either case, then an
 * optional extension opened by `;`. libhtp (htp_parse_chunked_length) would also skip blanks and
 * control bytes before the digits and read past junk after them, but Tomcat's ChunkedInputFilter
 * refuses any byte that is not a hex digit before the `;` and more than 8 digits, leading zeros
 * included. Nor is a size libhtp misreads or refuses (`0x1a` is its 0, the last chunk; a sign or a
 * value past INT32_MAX is an invalid chunk length to it).
 */
import { concat, headerName, latin1Bytes, latin1Text, splitHttpMessage, splitRequestLine, type HttpMessageParts } from '../http-message.js';
import type { TestCase } from '../model.js';

export interface ChunkPlan {
  /** Picks of body offsets where a chunk ends (reduced to 1..length-1). */
  cuts: number[];
  /** [start pick, size]: a stretch of DRIBBLE_SPAN bytes sent in chunks of 1 to 4 bytes. */
  dribble: [number, number] | null;
  /** Hex letters of the sizes in upper case. */
  upper: boolean;
  /** [chunk pick, count]: leading zeros on that chunk's size. */
  zeros: [number, number][];
  /** [chunk pick, extension pick]: a chunk extension after that chunk's size. */
  ext: [number, number][];
}

/** Bytes of the body dribbled out in tiny chunks: bounds the chunks per variant. */
const DRIBBLE_SPAN = 64;

/** Tomcat's ChunkedInputFilter reads at most 8 hex digits of a size, leading zeros included. */
export const MAX_SIZE_DIGITS = 8;

const CHUNK_EXTENSIONS: readonly string[] = [';x=y', ';ext', ';name="value"', ';a=1;b=2'];

/** A size line and the chunk it announces. */
export interface Chunk {
  line: string;
  size: number;
}

const VERSION_1_1 = /^HTTP\/1\.[1-9]$/;
const STATUS_LINE = /^HTTP\/1\.[1-9] (\d{3})(?: |$)/;
const DIGITS = /^[ \t]*(\d+)[ \t]*$/;

/**
 * Index of the message's one Content-Length field when it frames the whole body and nothing
 * else says how the body is sent; -1 otherwise (no body, no or several lengths, a length that
 * does not match, a Transfer-Encoding already).
 */
function lengthField(parts: HttpMessageParts): number {
  let at = -1;
  for (let i = 0; i < parts.headers.length; i++) {
    const name = headerName(parts.headers[i]!).toLowerCase();
    if (name === 'transfer-encoding') return -1;
    if (name !== 'content-length') continue;
    if (at >= 0) return -1;
    at = i;
  }
  if (at < 0 || parts.body.length === 0) return -1;
  const field = latin1Text(parts.headers[at]!);
  const m = DIGITS.exec(field.slice(field.indexOf(':') + 1));
  return m !== null && Number(m[1]) === parts.body.length ? at : -1;
}

/**
 * Whether section i's body can go chunked with the same meaning: an HTTP/1.1 message framed by
 * its Content-Length. An HTTP/1.0 message with Transfer-Encoding has faulty framing (RFC 9112
 * 6.1), so neither an HTTP/1.0 request nor the response to one goes chunked; nor does a body a
 * server never sends (to HEAD, with 1xx, 204 or 304).
 */
export function rechunkable(c: TestCase, i: number): boolean {
  const s = c.sections[i];
  if (s === undefined || s.kind !== 'http') return false;
  const parts = splitHttpMessage(s.data);
  if (parts === null || lengthField(parts) < 0) return false;
  if (s.side === 'client') {
    const line = splitRequestLine(parts.startLine);
    return line !== null && line.version !== null && VERSION_1_1.test(latin1Text(line.version));
  }
  const status = STATUS_LINE.exec(latin1Text(parts.startLine));
  if (status === null) return false;
  const code = Number(status[1]);
  if (code < 200 || code === 204 || code === 304) return false;
  // Responses answer the requests in order: the k-th response section the k-th request section.
  const nth = c.sections.slice(0, i).filter((x) => x.kind === 'http' && x.side === 'server').length;
  const request = c.sections.filter((x) => x.kind === 'http' && x.side === 'client')[nth];
  if (request === undefined || request.kind !== 'http') return true;
  const reqParts = splitHttpMessage(request.data);
  const line = reqParts === null ? null : splitRequestLine(reqParts.startLine);
  if (line === null || line.version === null) return false;
  return VERSION_1_1.test(latin1Text(line.version)) && latin1Text(line.method).toUpperCase() !== 'HEAD';
}

/** Where the chunks of a body of `length` bytes end, as the plan says. */
function chunkSizes(length: number, plan: ChunkPlan): number[] {
  const cuts = new Set<number>();
  if (length >= 2) {
    for (const v of plan.cuts) cuts.add(1 + (v % (length - 1)));
    if (plan.dribble !== null) {
      const [from, size] = plan.dribble;
      const start = from % length;
      const end = Math.min(length, start + DRIBBLE_SPAN);
      for (let at = start; at < end; at += size) if (at > 0) cuts.add(at);
      if (end < length) cuts.add(end);
    }
  }
  const sizes: number[] = [];
  let prev = 0;
  for (const at of [...cuts].sort((a, b) => a - b)) {
    sizes.push(at - prev);
    prev = at;
  }
  if (prev < length) sizes.push(length - prev);
  return sizes;
}

/** The chunks of a body of `length` bytes: sizes and their lines as sent (no CRLF). */
export function chunksFor(length: number, plan: ChunkPlan): Chunk[] {
  const sizes = chunkSizes(length, plan);
  const n = sizes.length;
  const zeros = new Map<number, number>();
  for (const [k, count] of plan.zeros) zeros.set(k % n, count);
  const ext = new Map<number, string>();
  for (const [k, e] of plan.ext) ext.set(k % n, CHUNK_EXTENSIONS[e % CHUNK_EXTENSIONS.length]!);
  return sizes.map((size, k) => {
    const hex = plan.upper ? size.toString(16).toUpperCase() : size.toString(16);
    const pad = Math.max(0, Math.min(zeros.get(k) ?? 0, MAX_SIZE_DIGITS - hex.length));
    return { size, line: `${'0'.repeat(pad)}${hex}${ext.get(k) ?? ''}` };
  });
}

/** The body in the chunked coding: each size line, its data, and the last chunk with no trailer. */
export function encodeChunked(body: Uint8Array, chunks: readonly Chunk[]): Uint8Array {
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (const c of chunks) {
    pieces.push(latin1Bytes(`${c.line}\r\n`), body.subarray(at, at + c.size), latin1Bytes('\r\n'));
    at += c.size;
  }
  pieces.push(latin1Bytes('0\r\n\r\n'));
  return concat(pieces);
}

function list(items: readonly string[], sep: string): string {
  return items.length > 8 ? `${items.slice(0, 8).join(sep)}${sep}...` : items.join(sep);
}

/**
 * The message with its body sent chunked: Transfer-Encoding in place of the Content-Length field
 * (so header picks of the other families keep their meaning), and the change in words. A message
 * that is not framed by one matching Content-Length comes back as it was.
 */
export function chunkMessage(parts: HttpMessageParts, plan: ChunkPlan, changes: string[], label: string): HttpMessageParts {
  const at = lengthField(parts);
  if (at < 0) return parts;
  const chunks = chunksFor(parts.body.length, plan);
  const headers = parts.headers.slice();
  headers[at] = latin1Bytes('Transfer-Encoding: chunked');
  const n = chunks.length;
  const sizes = list(chunks.map((c) => String(c.size)), ',');
  // Only the size lines that are not plain lower-case hex: the rest follow from the sizes.
  const odd = chunks.filter((c) => c.line !== c.size.toString(16)).map((c) => c.line);
  const lines = odd.length > 0 ? `, size lines written ${list(odd, ', ')}` : '';
  changes.push(`${label} body sent chunked in ${n} chunk${n > 1 ? 's' : ''} (sizes ${sizes})${lines}`);
  return { ...parts, headers, body: encodeChunked(parts.body, chunks) };
}
