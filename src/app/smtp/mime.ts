import type { SmtpAnomaly } from '../anomalies.js';
import { CR, HT, hexValue, latin1, LF, SP } from '../bytes.js';

/** One attachment of a message: its name as written, and its content with the transfer encoding undone. */
export interface MimeFile {
  readonly name: Uint8Array;
  readonly data: Uint8Array;
}

export interface MimeResult {
  files: MimeFile[];
  anomalies: SmtpAnomaly[];
}

export interface MimeOptions {
  /**
   * Read the structure as Suricata's SMTP decoder reads a mail, more loosely than RFC 2046: a
   * delimiter line is any line that starts with `--` and the boundary, in any case (`--xyz` and
   * `--XYZ-part1` for `XYZ`); a `boundary` parameter splits the body whatever the Content-Type
   * (`text/plain; boundary=...`); a transfer encoding that contains `base64` anywhere is base64;
   * every `message/*` part is an attached message. Off, a multipart upload is read (http/), as
   * Suricata and PHP read one: a delimiter line starts with `--` and the boundary as sent (case
   * counts), whatever follows it on the line (`--XyZ junk`, `--XyZZZ`; Suricata looks for
   * `--boundary` anywhere, PHP for a line that starts with it); only multipart types are split
   * (http/ hands over the boundary of an upload whatever its declared type).
   */
  readonly mail?: boolean;
}

/** What one extraction reads with and collects into. */
interface Walk {
  readonly out: MimeResult;
  readonly mail: boolean;
}

/** Multipart nesting followed (an attacker's message can nest boundaries without end). */
export const MAX_MIME_DEPTH = 16;
/**
 * Attachments kept per message, a guard only: Suricata sets no limit, and a low one would let a
 * sender hide the one that matters behind decoys (a 1 MiB message holds at most about 20,000).
 */
export const MAX_MIME_FILES = 100_000;
/** RFC 2046 allows 70 characters; Suricata flags a boundary longer than its 254-byte buffer. */
const MAX_BOUNDARY = 254;
/** RFC 5322's line limit, excluding CRLF. */
const MAX_LINE = 998;
/** RFC 2045's limit for a base64 or quoted-printable line, excluding CRLF. */
const MAX_ENCODED_LINE = 76;
/** NAME_MAX: Suricata cuts a longer file name there and flags it. */
const MAX_FILENAME = 255;

interface Field {
  /** Lower-case name. */
  name: string;
  /** The value, continuation lines joined, as latin1 (one character per byte). */
  value: string;
}

/**
 * The attachments of one SMTP message, as Suricata's MIME decoder finds them: every leaf part
 * that names a file (Content-Disposition `filename`, else Content-Type `name`), its base64 or
 * quoted-printable transfer encoding undone; parts inside `multipart/*` (nested, up to
 * MAX_MIME_DEPTH) and inside attached `message/rfc822` messages are followed (read as a mail,
 * `options.mail`, more loosely still: see MimeOptions). A part without a file name (the text of
 * the mail) is not a file, as in Suricata, where `file.data` on SMTP inspects attachments only. Lenient like mail clients: invalid base64 characters are skipped,
 * an `=` not followed by two hex digits is kept, and each such oddity is reported.
 */
export function extractAttachments(header: Uint8Array | undefined, body: Uint8Array | undefined, options: MimeOptions = {}): MimeResult {
  const out: MimeResult = { files: [], anomalies: [] };
  const empty = new Uint8Array(0);
  const head = header ?? empty;
  const content = body ?? empty;
  if (longestLine(head) > MAX_LINE || longestLine(content) > MAX_LINE) anomaly(out, 'smtp.mime_long_line');
  walkEntity(parseFields(head, 0, head.length), content, 0, { out, mail: options.mail === true });
  return out;
}

/** The addresses of a message's header that Suricata's EVE `email` object shows by default. */
export interface EmailAddresses {
  from: Uint8Array | undefined;
  to: Uint8Array[];
  cc: Uint8Array[];
}

/**
 * From, To and Cc of a message's header, unfolded; To and Cc split at commas with the blanks
 * before each entry dropped, as Suricata's EVE email logger splits them (a comma inside a
 * quoted display name splits there too, as it does in Suricata's output).
 */
export function emailAddresses(header: Uint8Array | undefined): EmailAddresses {
  const fields = header === undefined ? [] : parseFields(header, 0, header.length);
  const from = headerValue(fields, 'from');
  const list = (name: string): Uint8Array[] => {
    const v = headerValue(fields, name);
    if (v === undefined) return [];
    return v
      .split(',')
      .filter((part) => part.length > 0)
      .map((part) => latin1Bytes(part.replace(/^[ \t]+/, '')));
  };
  return { from: from === undefined ? undefined : latin1Bytes(from.replace(/^[ \t]+/, '')), to: list('to'), cc: list('cc') };
}

function anomaly(out: MimeResult, a: SmtpAnomaly): void {
  if (!out.anomalies.includes(a)) out.anomalies.push(a);
}

function walkEntity(fields: Field[], content: Uint8Array, depth: number, walk: Walk): void {
  const out = walk.out;
  const type = headerValue(fields, 'content-type');
  const mediaType = type === undefined ? 'text/plain' : mainValue(type).toLowerCase();
  const multipart = mediaType.startsWith('multipart/');
  // Suricata 7 opens every message/ type (message/global, message/partial) as a message of its own.
  const attached = walk.mail ? mediaType.startsWith('message/') : mediaType === 'message/rfc822';
  // Suricata 7 splits at the boundary of any Content-Type, not only a multipart one: a mail that
  // declares text/plain and still carries delimited parts hides its attachments otherwise.
  if (multipart || (walk.mail && !attached)) {
    const boundary = type === undefined ? undefined : parameter(type, 'boundary');
    if (boundary !== undefined && boundary.length > 0) {
      if (boundary.length > MAX_BOUNDARY) anomaly(out, 'smtp.mime_long_boundary');
      if (depth >= MAX_MIME_DEPTH) {
        anomaly(out, 'smtp.mime_depth_exceeded');
        if (multipart) return;
      } else {
        const parts = splitParts(content, latin1Bytes(boundary), walk.mail);
        if (parts !== null) {
          for (const [s, e] of parts) {
            const headEnd = endOfHeaders(content, s, e);
            walkEntity(parseFields(content, s, headEnd.fieldsEnd), content.subarray(headEnd.bodyStart, e), depth + 1, walk);
          }
          return;
        }
        if (multipart) {
          anomaly(out, 'smtp.mime_malformed');
          return;
        }
        // A stray boundary parameter on a leaf whose delimiter never appears: the leaf is read as is.
      }
    } else if (multipart) {
      // A multipart type without a boundary cannot be split: read as one leaf, like any other part.
      anomaly(out, 'smtp.mime_malformed');
    }
  }
  const name = fileName(fields);
  // An attached message is opened whether or not it is named (forwarded as fwd.eml), as Suricata 7 does.
  if (attached) {
    if (depth >= MAX_MIME_DEPTH) {
      anomaly(out, 'smtp.mime_depth_exceeded');
      return;
    }
    const inner = decodeTransfer(fields, content, walk);
    const headEnd = endOfHeaders(inner, 0, inner.length);
    walkEntity(parseFields(inner, 0, headEnd.fieldsEnd), inner.subarray(headEnd.bodyStart), depth + 1, walk);
    return;
  }
  if (name === undefined) {
    // Not a file, but its encoding is still checked: the anomalies are the message's.
    decodeTransfer(fields, content, walk);
    return;
  }
  if (out.files.length >= MAX_MIME_FILES) {
    anomaly(out, 'smtp.mime_too_many_files');
    return;
  }
  let kept = name;
  if (name.length > MAX_FILENAME) {
    anomaly(out, 'smtp.mime_long_filename');
    kept = name.slice(0, MAX_FILENAME);
  }
  out.files.push({ name: latin1Bytes(kept), data: decodeTransfer(fields, content, walk) });
}

function decodeTransfer(fields: Field[], content: Uint8Array, walk: Walk): Uint8Array {
  const out = walk.out;
  const cte = headerValue(fields, 'content-transfer-encoding');
  const encoding = cte === undefined ? '' : mainValue(cte).toLowerCase();
  // Suricata 7 decodes base64 when the value contains "base64" anywhere, in any case (x-base64,
  // "base64"); Suricata 8 wants the exact token. The lenient reading is taken so that an
  // attachment labelled loosely, which mail clients still decode, is not inspected undecoded.
  const base64 = walk.mail && cte !== undefined ? cte.toLowerCase().includes('base64') : encoding === 'base64';
  if (base64) {
    if (longestLine(content) > MAX_ENCODED_LINE) anomaly(out, 'smtp.mime_long_encoded_line');
    return decodeBase64(content, out);
  }
  if (encoding === 'quoted-printable') {
    if (longestLine(content) > MAX_ENCODED_LINE) anomaly(out, 'smtp.mime_long_encoded_line');
    return decodeQuotedPrintable(content, out);
  }
  return content;
}

function longestLine(b: Uint8Array): number {
  let longest = 0;
  let start = 0;
  for (;;) {
    const nl = b.indexOf(LF, start);
    const end = nl < 0 ? b.length : nl;
    const len = end - start - (end > start && b[end - 1] === CR ? 1 : 0);
    if (len > longest) longest = len;
    if (nl < 0) return longest;
    start = nl + 1;
  }
}

/**
 * The [start, end) ranges of the parts between `--boundary` delimiter lines (RFC 2046 5.1.1):
 * the preamble before the first and the epilogue after `--boundary--` are not parts, and the
 * line break before a delimiter belongs to the delimiter. A message cut before its closing
 * delimiter still yields its last part. Null when no delimiter line appears at all.
 */
function splitParts(content: Uint8Array, boundary: Uint8Array, mail: boolean): Array<[number, number]> | null {
  const wanted = mail ? boundary.map(lowerAscii) : boundary;
  const parts: Array<[number, number]> = [];
  let partStart = -1;
  let lineStart = 0;
  const n = content.length;
  while (lineStart < n) {
    const nl = content.indexOf(LF, lineStart);
    const lineEnd = nl < 0 ? n : nl;
    const next = nl < 0 ? n : nl + 1;
    const kind = delimiterKind(content, lineStart, lineEnd, wanted, mail);
    if (kind !== 0) {
      if (partStart >= 0) parts.push([partStart, breakBefore(content, partStart, lineStart)]);
      if (kind === 2) return parts;
      partStart = next;
    }
    lineStart = next;
  }
  if (partStart < 0) return null;
  if (partStart < n) parts.push([partStart, n]);
  return parts;
}

function lowerAscii(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/**
 * 0: not a delimiter line; 1: `--boundary`; 2: the closing `--boundary--`. The line need only
 * start with `--` and the boundary, and `--` right after the boundary closes whatever follows, as
 * Suricata 7 reads a mail and an upload; a mail's boundary matches in any case (`boundary` then
 * given in lower case), as Suricata 7 and 8 match it, an upload's as sent.
 */
function delimiterKind(b: Uint8Array, s: number, e: number, boundary: Uint8Array, mail: boolean): number {
  if (e - s < boundary.length + 2 || b[s] !== 0x2d || b[s + 1] !== 0x2d) return 0;
  for (let i = 0; i < boundary.length; i++) {
    const c = b[s + 2 + i]!;
    if ((mail ? lowerAscii(c) : c) !== boundary[i]) return 0;
  }
  const p = s + 2 + boundary.length;
  return p + 1 < e && b[p] === 0x2d && b[p + 1] === 0x2d ? 2 : 1;
}

/** Where a part's content ends: before the CRLF (or LF) that precedes its delimiter line. */
function breakBefore(b: Uint8Array, partStart: number, delimiterStart: number): number {
  let e = delimiterStart;
  if (e > partStart && b[e - 1] === LF) e--;
  if (e > partStart && b[e - 1] === CR) e--;
  return e;
}

/** The end of a part's header fields and the start of its body (after the blank line); no blank line: all headers. */
function endOfHeaders(b: Uint8Array, s: number, e: number): { fieldsEnd: number; bodyStart: number } {
  let lineStart = s;
  while (lineStart < e) {
    const nl = b.indexOf(LF, lineStart);
    if (nl < 0 || nl >= e) break;
    const blank = nl === lineStart || (nl === lineStart + 1 && b[lineStart] === CR);
    if (blank) return { fieldsEnd: lineStart, bodyStart: nl + 1 };
    lineStart = nl + 1;
  }
  // A part whose first line is not a header field has no header: all of it is body (RFC 2046 defaults).
  return looksLikeField(b, s, e) ? { fieldsEnd: e, bodyStart: e } : { fieldsEnd: s, bodyStart: s };
}

function looksLikeField(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c === 0x3a) return i > s;
    if (c <= SP || c >= 0x7f) return false;
  }
  return false;
}

/** Header fields of [s, e), continuation lines joined to their field (RFC 5322 unfolding). */
function parseFields(b: Uint8Array, s: number, e: number): Field[] {
  const fields: Field[] = [];
  let lineStart = s;
  while (lineStart < e) {
    const nl = b.indexOf(LF, lineStart);
    const lineEnd = nl < 0 || nl >= e ? e : nl;
    let textEnd = lineEnd;
    if (textEnd > lineStart && b[textEnd - 1] === CR) textEnd--;
    const first = b[lineStart];
    if ((first === SP || first === HT) && fields.length > 0) {
      const last = fields[fields.length - 1]!;
      last.value += latin1(b.subarray(lineStart, textEnd));
    } else {
      // Within the line only: searching on to the buffer's end made many colon-less lines quadratic.
      let colon = lineStart;
      while (colon < textEnd && b[colon] !== 0x3a) colon++;
      if (colon > lineStart && colon < textEnd) {
        fields.push({ name: latin1(b.subarray(lineStart, colon)).trim().toLowerCase(), value: latin1(b.subarray(colon + 1, textEnd)) });
      }
    }
    lineStart = lineEnd + 1;
  }
  return fields;
}


function latin1Bytes(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'latin1'));
}

/** A field's value; of a repeated field, the last one, as Suricata's MIME decoder reads it. */
function headerValue(fields: readonly Field[], name: string): string | undefined {
  for (let i = fields.length - 1; i >= 0; i--) if (fields[i]!.name === name) return fields[i]!.value;
  return undefined;
}

/** The value before its first `;` (the media type, the disposition, the encoding), trimmed. */
function mainValue(v: string): string {
  const semi = v.indexOf(';');
  return (semi < 0 ? v : v.slice(0, semi)).trim();
}

/**
 * A parameter of a structured field (`name=value`, `name="quoted"`), with RFC 2231's extended
 * forms: `name*=charset'lang'percent%20encoded` and continuations `name*0`, `name*1*`, ...
 */
function parameter(v: string, wanted: string): string | undefined {
  const params = parameters(v);
  const plain = params.get(wanted);
  const extended = params.get(`${wanted}*`);
  if (extended !== undefined) return decodeExtended(extended);
  if (plain !== undefined) return plain;
  let joined = '';
  let found = false;
  for (let i = 0; i < 100; i++) {
    const raw = params.get(`${wanted}*${i}`);
    const ext = params.get(`${wanted}*${i}*`);
    if (raw === undefined && ext === undefined) break;
    found = true;
    joined += ext !== undefined ? (i === 0 ? decodeExtended(ext) : percentDecode(ext)) : raw!;
  }
  return found ? joined : undefined;
}

function parameters(v: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = v.indexOf(';');
  if (i < 0) return out;
  i++;
  const n = v.length;
  while (i < n) {
    while (i < n && (v[i] === ' ' || v[i] === '\t' || v[i] === ';')) i++;
    const eq = v.indexOf('=', i);
    if (eq < 0) break;
    const key = v.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (i < n && (v[i] === ' ' || v[i] === '\t')) i++;
    let value = '';
    if (v[i] === '"') {
      i++;
      // Backslashes stay: Suricata does not unescape them (C:\temp\evil.exe keeps its path).
      while (i < n && v[i] !== '"') {
        value += v[i];
        i++;
      }
      i++;
    } else {
      const semi = v.indexOf(';', i);
      const end = semi < 0 ? n : semi;
      value = v.slice(i, end).trim();
      i = end;
    }
    // A repeated parameter: the last one counts, as in Suricata (filename="a.txt"; filename="b.exe").
    out.set(key, value);
    const semi = v.indexOf(';', i);
    if (semi < 0) break;
    i = semi + 1;
  }
  return out;
}

/** `charset'language'percent-encoded` (RFC 2231): the bytes, as latin1 characters. */
function decodeExtended(v: string): string {
  const first = v.indexOf("'");
  const second = first < 0 ? -1 : v.indexOf("'", first + 1);
  return percentDecode(second < 0 ? v : v.slice(second + 1));
}

function percentDecode(v: string): string {
  return v.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** A part's file name: Content-Disposition `filename`, else Content-Type `name` (as Suricata looks them up). */
function fileName(fields: readonly Field[]): string | undefined {
  const disposition = headerValue(fields, 'content-disposition');
  const fromDisposition = disposition === undefined ? undefined : parameter(disposition, 'filename');
  if (fromDisposition !== undefined && fromDisposition.length > 0) return fromDisposition;
  const type = headerValue(fields, 'content-type');
  const fromType = type === undefined ? undefined : parameter(type, 'name');
  return fromType !== undefined && fromType.length > 0 ? fromType : undefined;
}

const B64 = (() => {
  const t = new Int8Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

/**
 * Base64 as mail clients read it: line breaks and spaces ignored, padding ends a quantum (a
 * message may hold several encoded runs), other characters skipped and reported.
 */
export function decodeBase64(src: Uint8Array, out?: MimeResult): Uint8Array {
  const dst = new Uint8Array(Math.floor((src.length * 3) / 4) + 3);
  let d = 0;
  let acc = 0;
  let k = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    const v = B64[c]!;
    if (v >= 0) {
      acc = (acc << 6) | v;
      if (++k === 4) {
        dst[d++] = (acc >> 16) & 0xff;
        dst[d++] = (acc >> 8) & 0xff;
        dst[d++] = acc & 0xff;
        acc = 0;
        k = 0;
      }
    } else if (c === 0x3d) {
      d = flushQuantum(dst, d, acc, k);
      acc = 0;
      k = 0;
    } else if (c !== CR && c !== LF && c !== SP && c !== HT) {
      if (out !== undefined) anomaly(out, 'smtp.mime_invalid_base64');
    }
  }
  d = flushQuantum(dst, d, acc, k);
  return dst.slice(0, d);
}

/** The bytes of an incomplete quantum of k (2 or 3) characters. */
function flushQuantum(dst: Uint8Array, d: number, acc: number, k: number): number {
  if (k === 2) dst[d++] = (acc >> 4) & 0xff;
  else if (k === 3) {
    dst[d++] = (acc >> 10) & 0xff;
    dst[d++] = (acc >> 2) & 0xff;
  }
  return d;
}


/** Quoted-printable (RFC 2045 6.7): `=XX` bytes, `=` at a line's end joins it to the next; a stray `=` is kept and reported. */
export function decodeQuotedPrintable(src: Uint8Array, out?: MimeResult): Uint8Array {
  const dst = new Uint8Array(src.length);
  let d = 0;
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const c = src[i]!;
    if (c !== 0x3d) {
      dst[d++] = c;
      continue;
    }
    // Past the end reads as -1 (not a digit): i + 1 and i + 2 may be beyond n.
    const hi = i + 1 < n ? hexValue(src[i + 1]!) : -1;
    const lo = i + 2 < n ? hexValue(src[i + 2]!) : -1;
    if (hi >= 0 && lo >= 0) {
      dst[d++] = (hi << 4) | lo;
      i += 2;
      continue;
    }
    // A soft line break: `=`, optional trailing blanks, then the line end.
    let j = i + 1;
    while (j < n && (src[j] === SP || src[j] === HT)) j++;
    if (j < n && src[j] === CR && src[j + 1] === LF) {
      i = j + 1;
      continue;
    }
    if (j < n && src[j] === LF) {
      i = j;
      continue;
    }
    if (j >= n) {
      i = n;
      continue;
    }
    if (out !== undefined) anomaly(out, 'smtp.mime_invalid_qp');
    dst[d++] = c;
  }
  return dst.slice(0, d);
}
