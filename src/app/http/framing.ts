import type { AnomalyList, HttpAnomaly } from '../anomalies.js';
import { HT, SP, ascii, isTchar, latin1, lowerAscii, parseDecimal, startsWithLower } from '../bytes.js';
import { ENC_DEFLATE, ENC_GZIP, ENC_NONE, encodingLayers, MAX_ENCODING_LAYERS } from './decompress.js';
import { H_CONTENT_ENCODING, H_CONTENT_LENGTH, H_TRANSFER_ENCODING, H_UPGRADE, fieldValue, joinWith, type HeaderField } from './headers.js';
import { KNOWN_METHODS, MAX_METHOD_LENGTH } from './message.js';

const CHUNKED = ascii('chunked');
const GZIP = ascii('gzip');
const X_GZIP = ascii('x-gzip');
const DEFLATE = ascii('deflate');
const COMMA_SP = ascii(', ');

/** Method tokens (lower-case bytes) used to find the next request after garbage or a gap. */
const RESYNC_METHODS: Uint8Array[] = [...KNOWN_METHODS].map((m) => ascii(m.toLowerCase()));

/**
 * Whether chunk[pos..] starts with a known method and a space (case-insensitive, IIS accepted
 * any case). With `anyToken`, any token followed by a space will do.
 */
export function looksLikeRequestStart(chunk: Uint8Array, pos: number, anyToken: boolean): boolean {
  if (anyToken) {
    let i = pos;
    while (i < chunk.length && i - pos <= MAX_METHOD_LENGTH && isTchar(chunk[i]!)) i++;
    return i > pos && (i === chunk.length || chunk[i] === SP || chunk[i] === HT);
  }
  const first = lowerAscii(chunk[pos]!);
  for (const m of RESYNC_METHODS) {
    if (m[0] !== first) continue;
    if (startsWithLower(chunk, pos, m) && pos + m.length < chunk.length && chunk[pos + m.length] === SP) return true;
  }
  return false;
}

/** How a message's body is delimited, read from its headers (RFC 7230 3.3.3). */
export interface Framing {
  chunked: boolean;
  /** Content-Length, -1 when absent or unusable. */
  length: number;
  encoding: number;
  upgrade: boolean;
}

export function readFraming(head: Uint8Array, fields: readonly HeaderField[], anomalies: AnomalyList<HttpAnomaly>, request: boolean): Framing {
  let length = -1;
  let te = false;
  let chunked = false;
  let encoding = ENC_NONE;
  let upgrade = false;
  let clSeen = false;
  const codings: Uint8Array[] = [];
  for (const f of fields) {
    switch (f.id) {
      case H_CONTENT_LENGTH: {
        const value = fieldValue(head, f);
        const v = parseContentLength(value);
        // Junk around the digits is read past, as libhtp does, and still flagged.
        if (v < 0 || parseDecimal(value, 0, value.length) !== v) anomalies.add('http.content_length_invalid');
        if (v >= 0) {
          if (clSeen && v !== length) anomalies.add('http.content_length_conflict');
          else length = v;
        }
        clSeen = true;
        break;
      }
      case H_TRANSFER_ENCODING: {
        te = true;
        const value = fieldValue(head, f);
        if (containsLower(value, CHUNKED)) chunked = true;
        if (!isExactlyChunked(value)) anomalies.add(request ? 'http.transfer_encoding_abnormal_request' : 'http.transfer_encoding_abnormal_response');
        break;
      }
      case H_CONTENT_ENCODING:
        codings.push(fieldValue(head, f));
        break;
      case H_UPGRADE:
        upgrade = true;
        break;
      default:
        break;
    }
  }
  // Repeated Content-Encoding lines are one list, as libhtp joins a repeated header with ", ":
  // `gzip` then `deflate` on two lines is both codings, not the last one alone.
  if (codings.length > 0) encoding = contentEncoding(codings.length === 1 ? codings[0]! : joinWith(codings, COMMA_SP));
  if (te && !chunked) anomalies.add('http.transfer_encoding_invalid');
  if (chunked && clSeen) anomalies.add('http.transfer_encoding_and_content_length');
  return { chunked, length, encoding, upgrade };
}

/**
 * A Content-Length as libhtp reads it, leniently, as the servers it models do: bytes before the
 * first digit are skipped (`+8`, `x8`) and anything after the digits is ignored (`8abc`, `5;`).
 * Refusing such a value would lose the body's end and read the body as the next message,
 * which is what an evasion wants. -1: no digits; -2: too large to be exact.
 */
export function parseContentLength(value: Uint8Array): number {
  let i = 0;
  while (i < value.length && (value[i]! < 0x30 || value[i]! > 0x39)) i++;
  if (i === value.length) return -1;
  let end = i;
  while (end < value.length && value[end]! >= 0x30 && value[end]! <= 0x39) end++;
  return parseDecimal(value, i, end);
}

/** The value, without surrounding blanks, is "chunked" in any case. */
function isExactlyChunked(v: Uint8Array): boolean {
  let s = 0;
  let e = v.length;
  while (s < e && (v[s] === SP || v[s] === HT)) s++;
  while (e > s && (v[e - 1] === SP || v[e - 1] === HT)) e--;
  if (e - s !== CHUNKED.length) return false;
  for (let i = 0; i < CHUNKED.length; i++) if (lowerAscii(v[s + i]!) !== CHUNKED[i]) return false;
  return true;
}

/**
 * The codings of a Content-Encoding list, as encodingLayers packs them: `gzip`, `x-gzip` and
 * `deflate` (any case), `identity` skipped; up to MAX_ENCODING_LAYERS of them, as libhtp. A
 * coding kanshi cannot undo (br, compress) leaves the body as sent.
 */
function contentEncoding(v: Uint8Array): number {
  const codings: number[] = [];
  for (const token of latin1(v).toLowerCase().split(',')) {
    const t = token.trim();
    if (t === '' || t === 'identity') continue;
    const c = t === 'gzip' || t === 'x-gzip' ? ENC_GZIP : t === 'deflate' ? ENC_DEFLATE : -1;
    if (c < 0) return fallbackEncoding(v);
    codings.push(c);
  }
  if (codings.length === 0) return ENC_NONE;
  return encodingLayers(codings.slice(-MAX_ENCODING_LAYERS));
}

/** A value that is not a plain list (parameters, odd spacing): the first coding named in it, as before. */
function fallbackEncoding(v: Uint8Array): number {
  if (containsLower(v, GZIP) || containsLower(v, X_GZIP)) return ENC_GZIP;
  if (containsLower(v, DEFLATE)) return ENC_DEFLATE;
  return ENC_NONE;
}


function containsLower(v: Uint8Array, lower: Uint8Array): boolean {
  for (let i = 0; i + lower.length <= v.length; i++) if (startsWithLower(v, i, lower)) return true;
  return false;
}
