import { hexValue } from '../bytes.js';
import type { UriEvasion } from '../anomalies.js';

/**
 * Request-target normalization as IIS 4/5 and Apache read a URI, so that one content match sees
 * through the encodings attackers used to slip past pattern matchers (Nimda, CodeRed, the IIS
 * Unicode and double-decode traversals):
 *
 *   path:  %XX decoding; IIS %uXXXX; a second decoding pass when the first left %XX behind
 *          (IIS double decode); overlong UTF-8 (raw or encoded) folded to the ASCII it spells;
 *          '\' as '/'; '//' collapsed; '/./' dropped; '/../' removing the previous segment,
 *          never above the root.
 *   query: %XX and %uXXXX decoding only (no second pass, no path collapsing).
 *   absolute-form targets (http://host/path) keep only the path and query.
 *
 * Pure function, also used for URIs read from web server logs. Returns the input array itself
 * when nothing needs changing.
 */

export interface NormalizedUri {
  bytes: Uint8Array;
  /** Evasions seen, in the fixed order of URI_EVASIONS, no duplicates. */
  evasions: UriEvasion[];
}

const F_ASCII = 1 << 0;
const F_DOUBLE = 1 << 1;
const F_IIS_U = 1 << 2;
const F_OVERLONG = 1 << 3;
const F_BARE = 1 << 4;
const F_INVALID = 1 << 5;
const F_NULL = 1 << 6;
const F_BACKSLASH = 1 << 7;
const F_MULTI_SLASH = 1 << 8;
const F_SELF_DIR = 1 << 9;
const F_TRAVERSAL = 1 << 10;
const F_ABOVE_ROOT = 1 << 11;

const PCT = 0x25;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const QMARK = 0x3f;

/**
 * Characters whose %-encoding only serves to dodge a matcher: letters and digits anywhere, and
 * in the path also the separators and dots that traversal is made of. (A query routinely
 * carries an encoded URL, "%2F" and "%2E" included.)
 */
const NEEDLESSLY_ENCODED_IN_QUERY = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) NEEDLESSLY_ENCODED_IN_QUERY[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) NEEDLESSLY_ENCODED_IN_QUERY[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) NEEDLESSLY_ENCODED_IN_QUERY[c] = 1;
const NEEDLESSLY_ENCODED_IN_PATH = NEEDLESSLY_ENCODED_IN_QUERY.slice();
NEEDLESSLY_ENCODED_IN_PATH[DOT] = 1;
NEEDLESSLY_ENCODED_IN_PATH[SLASH] = 1;
NEEDLESSLY_ENCODED_IN_PATH[BACKSLASH] = 1;

export function normalizeUri(raw: Uint8Array): NormalizedUri {
  if (!needsWork(raw)) return { bytes: raw, evasions: [] };
  const flags = { v: 0 };

  const start = absoluteFormPathStart(raw);
  let q = raw.indexOf(QMARK, start);
  if (q < 0) q = raw.length;

  let path: Uint8Array;
  if (start === q) {
    // "http://host" or "http://host?x": the path is the root.
    path = start > 0 ? new Uint8Array([SLASH]) : new Uint8Array(0);
  } else {
    path = percentDecode(raw, start, q, flags, true, NEEDLESSLY_ENCODED_IN_PATH);
    if (hasDecodableEscape(path)) {
      flags.v |= F_DOUBLE;
      path = percentDecode(path, 0, path.length, flags, false, NEEDLESSLY_ENCODED_IN_PATH);
    }
    path = foldOverlongUtf8(path, flags);
    path = collapsePath(path, flags);
  }

  let out: Uint8Array;
  if (q < raw.length) {
    const query = percentDecode(raw, q + 1, raw.length, flags, true, NEEDLESSLY_ENCODED_IN_QUERY);
    out = new Uint8Array(path.length + 1 + query.length);
    out.set(path, 0);
    out[path.length] = QMARK;
    out.set(query, path.length + 1);
  } else {
    out = path;
  }
  return { bytes: out, evasions: flagsToEvasions(flags.v) };
}

/** Whether normalizeUri would change `raw` or report an evasion (false: it returns `raw` as is). */
export function uriNeedsNormalizing(raw: Uint8Array): boolean {
  return needsWork(raw);
}

/** Fast path: plain ASCII URIs without escapes or dot/slash oddities are already normal. */
function needsWork(raw: Uint8Array): boolean {
  const n = raw.length;
  if (n > 0 && raw[0] !== SLASH) return true; // absolute form, '*', relative: let the slow path decide
  let inQuery = false;
  for (let i = 0; i < n; i++) {
    const b = raw[i]!;
    if (b === PCT || b >= 0x80) return true;
    if (inQuery) continue;
    if (b === QMARK) inQuery = true;
    else if (b === BACKSLASH) return true;
    else if (b === SLASH && i + 1 < n) {
      const c = raw[i + 1]!;
      if (c === SLASH || c === DOT) return true;
    }
  }
  return false;
}

/** Offset of the path in an absolute-form target ("http://host:port/path"), else 0. */
function absoluteFormPathStart(raw: Uint8Array): number {
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" "//"
  let i = 0;
  const n = raw.length;
  while (i < n && i < 16) {
    const b = raw[i]! | 0x20;
    const isAlpha = b >= 0x61 && b <= 0x7a;
    const isOther = raw[i]! === 0x2b || raw[i]! === 0x2d || raw[i]! === DOT || (raw[i]! >= 0x30 && raw[i]! <= 0x39);
    if (!isAlpha && !(i > 0 && isOther)) break;
    i++;
  }
  if (i === 0 || i + 2 >= n || raw[i] !== 0x3a || raw[i + 1] !== SLASH || raw[i + 2] !== SLASH) return 0;
  const authorityStart = i + 3;
  for (let j = authorityStart; j < n; j++) {
    const b = raw[j]!;
    if (b === SLASH || b === QMARK) return j;
  }
  return n;
}

/**
 * One %-decoding pass over src[start..end). `firstPass` marks raw input, where bytes >= 0x80
 * are bare bytes; later passes only see what earlier passes produced.
 */
function percentDecode(src: Uint8Array, start: number, end: number, flags: { v: number }, firstPass: boolean, needless: Uint8Array): Uint8Array {
  const out = new Uint8Array(end - start);
  let o = 0;
  for (let i = start; i < end; i++) {
    const b = src[i]!;
    if (b !== PCT) {
      if (firstPass && b >= 0x80) flags.v |= F_BARE;
      out[o++] = b;
      continue;
    }
    if (i + 2 < end) {
      const h = hexValue(src[i + 1]!);
      const l = hexValue(src[i + 2]!);
      if (h >= 0 && l >= 0) {
        const v = (h << 4) | l;
        if (needless[v] === 1) flags.v |= F_ASCII;
        if (v === 0) flags.v |= F_NULL;
        out[o++] = v;
        i += 2;
        continue;
      }
    }
    if (i + 5 < end && (src[i + 1]! | 0x20) === 0x75) {
      const cp = hex4(src, i + 2);
      if (cp >= 0) {
        flags.v |= F_IIS_U;
        if (cp === 0) flags.v |= F_NULL;
        o = writeIisCodePoint(out, o, cp);
        i += 5;
        continue;
      }
    }
    flags.v |= F_INVALID;
    out[o++] = b;
  }
  return o === out.length ? out : out.subarray(0, o);
}

function hex4(src: Uint8Array, at: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const d = hexValue(src[at + k]!);
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

/**
 * How IIS turned a %u code point into the bytes its path checks saw: ASCII as is, full-width
 * forms (U+FF01..U+FF5E) best-fit to their ASCII twins, anything else as UTF-8.
 * Never writes more than the 6 input bytes it replaces.
 */
function writeIisCodePoint(out: Uint8Array, o: number, cp: number): number {
  if (cp < 0x80) {
    out[o++] = cp;
  } else if (cp >= 0xff01 && cp <= 0xff5e) {
    out[o++] = cp - 0xfee0;
  } else if (cp < 0x800) {
    out[o++] = 0xc0 | (cp >> 6);
    out[o++] = 0x80 | (cp & 0x3f);
  } else {
    out[o++] = 0xe0 | (cp >> 12);
    out[o++] = 0x80 | ((cp >> 6) & 0x3f);
    out[o++] = 0x80 | (cp & 0x3f);
  }
  return o;
}

/** Whether a decoded path still holds a %XX or %uXXXX escape (so IIS would decode it again). */
function hasDecodableEscape(buf: Uint8Array): boolean {
  let i = buf.indexOf(PCT);
  while (i >= 0) {
    if (i + 2 < buf.length && hexValue(buf[i + 1]!) >= 0 && hexValue(buf[i + 2]!) >= 0) return true;
    if (i + 5 < buf.length && (buf[i + 1]! | 0x20) === 0x75 && hex4(buf, i + 2) >= 0) return true;
    i = buf.indexOf(PCT, i + 1);
  }
  return false;
}

/**
 * Folds overlong UTF-8 to the character it encodes. Like IIS's lax decoder, a C0/C1 lead byte
 * takes the low six bits of whatever byte follows, which is how %c1%1c and %c0%2f became
 * '\' and '/'.
 */
function foldOverlongUtf8(buf: Uint8Array, flags: { v: number }): Uint8Array {
  let i = 0;
  const n = buf.length;
  while (i < n && buf[i]! < 0xc0) i++;
  if (i === n) return buf;
  const out = new Uint8Array(n);
  out.set(buf.subarray(0, i));
  let o = i;
  while (i < n) {
    const b = buf[i]!;
    if ((b === 0xc0 || b === 0xc1) && i + 1 < n) {
      out[o++] = ((b & 0x1f) << 6) | (buf[i + 1]! & 0x3f);
      flags.v |= F_OVERLONG;
      i += 2;
      continue;
    }
    if (b === 0xe0 && i + 2 < n && isCont(buf[i + 1]!) && buf[i + 1]! < 0xa0 && isCont(buf[i + 2]!)) {
      const cp = ((buf[i + 1]! & 0x3f) << 6) | (buf[i + 2]! & 0x3f);
      o = writeShortest(out, o, cp);
      flags.v |= F_OVERLONG;
      i += 3;
      continue;
    }
    if (b === 0xf0 && i + 3 < n && isCont(buf[i + 1]!) && buf[i + 1]! < 0x90 && isCont(buf[i + 2]!) && isCont(buf[i + 3]!)) {
      const cp = ((buf[i + 1]! & 0x3f) << 12) | ((buf[i + 2]! & 0x3f) << 6) | (buf[i + 3]! & 0x3f);
      o = writeShortest(out, o, cp);
      flags.v |= F_OVERLONG;
      i += 4;
      continue;
    }
    out[o++] = b;
    i++;
  }
  return out.subarray(0, o);
}

function isCont(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

function writeShortest(out: Uint8Array, o: number, cp: number): number {
  if (cp < 0x80) {
    out[o++] = cp;
  } else if (cp < 0x800) {
    out[o++] = 0xc0 | (cp >> 6);
    out[o++] = 0x80 | (cp & 0x3f);
  } else {
    out[o++] = 0xe0 | (cp >> 12);
    out[o++] = 0x80 | ((cp >> 6) & 0x3f);
    out[o++] = 0x80 | (cp & 0x3f);
  }
  return o;
}

/** '\' to '/', then '//', '/./' and '/../' resolved; a trailing '/.' or '/..' keeps its slash. */
function collapsePath(path: Uint8Array, flags: { v: number }): Uint8Array {
  const n = path.length;
  const out = new Uint8Array(n + 1);
  let o = 0;
  // Offsets in `out` where each kept segment's leading '/' sits, for '..' to pop back to.
  const segStarts: number[] = [];
  let i = 0;
  for (let k = 0; k < n; k++) {
    if (path[k] === BACKSLASH) {
      flags.v |= F_BACKSLASH;
      break;
    }
  }
  const rooted = n > 0 && isSep(path[0]!);
  while (i < n) {
    let segStart = i;
    if (isSep(path[i]!)) {
      let j = i;
      while (j < n && isSep(path[j]!)) j++;
      if (j - i > 1) flags.v |= F_MULTI_SLASH;
      segStart = j;
    } else if (i !== 0) {
      segStart = i;
    }
    let segEnd = segStart;
    while (segEnd < n && !isSep(path[segEnd]!)) segEnd++;
    const segLen = segEnd - segStart;
    const leadingSlash = rooted || i !== 0;
    if (segLen === 1 && path[segStart] === DOT) {
      flags.v |= F_SELF_DIR;
      if (segEnd === n && leadingSlash) out[o++] = SLASH;
    } else if (segLen === 2 && path[segStart] === DOT && path[segStart + 1] === DOT) {
      flags.v |= F_TRAVERSAL;
      if (segStarts.length > 0) o = segStarts.pop()!;
      else {
        flags.v |= F_ABOVE_ROOT;
        o = 0;
      }
      if (segEnd === n && leadingSlash) out[o++] = SLASH;
    } else {
      if (segLen > 0 || segEnd === n) {
        segStarts.push(o);
        if (leadingSlash) out[o++] = SLASH;
        out.set(path.subarray(segStart, segEnd), o);
        o += segLen;
      }
    }
    i = segEnd;
  }
  if (o === 0 && rooted) out[o++] = SLASH;
  return out.subarray(0, o);
}

function isSep(b: number): boolean {
  return b === SLASH || b === BACKSLASH;
}

const FLAG_ORDER: readonly (readonly [number, UriEvasion])[] = [
    [F_ASCII, 'http.uri.ascii_encoding'],
    [F_DOUBLE, 'http.uri.double_encoding'],
    [F_IIS_U, 'http.uri.iis_unicode'],
    [F_OVERLONG, 'http.uri.overlong_utf8'],
    [F_BARE, 'http.uri.bare_byte'],
    [F_INVALID, 'http.uri.invalid_encoding'],
    [F_NULL, 'http.uri.encoded_null'],
    [F_BACKSLASH, 'http.uri.backslash'],
    [F_MULTI_SLASH, 'http.uri.multi_slash'],
    [F_SELF_DIR, 'http.uri.self_directory'],
    [F_TRAVERSAL, 'http.uri.directory_traversal'],
    [F_ABOVE_ROOT, 'http.uri.traversal_above_root'],
];

function flagsToEvasions(v: number): UriEvasion[] {
  const list: UriEvasion[] = [];
  if (v === 0) return list;
  for (const [bit, name] of FLAG_ORDER) if (v & bit) list.push(name);
  return list;
}

/** The evasions this normalizer can report, in report order. */
export const NORMALIZER_EVASIONS: readonly UriEvasion[] = FLAG_ORDER.map(([, name]) => name);
