import { copyOut, hexValue } from '../bytes.js';
import type { UriEvasion } from '../anomalies.js';
import { BESTFIT_1252 } from './bestfit-1252.js';

/**
 * Request-target normalization as IIS 4/5 and Apache read a URI, so that one content match sees
 * through the encodings attackers used to slip past pattern matchers (Nimda, CodeRed, the IIS
 * Unicode and double-decode traversals):
 *
 *   path:  %XX decoding; IIS %uXXXX to one byte, as libhtp's IDS personality decodes it
 *          (decode_u_encoding_path: %u00XX is the byte XX, any other code point its byte in
 *          libhtp's Windows-1252 best-fit map, '?' when unmapped); a second decoding pass when
 *          the first left %XX behind (IIS double decode); overlong UTF-8 (raw or encoded)
 *          folded to the ASCII it spells; '\' as '/'; '//' collapsed; '/./' dropped; '/../'
 *          removing the previous segment, never above the root.
 *   query: %XX and %uXXXX decoding only (%u to one byte as in the path; no second pass, no
 *          path collapsing).
 *   fragment: as the query. libhtp (htp_parse_uri) ends the path at '?' or '#' and the query at
 *          '#', normalises the path only and URL-decodes the fragment; Suricata's http.uri is
 *          path, '?' query, '#' fragment. So "/a.cgi#/../../x" keeps its "/a.cgi": dot
 *          segments after a '#' are not path, and a '?' after the '#' is fragment too.
 *   absolute-form targets (http://host/path) keep only the path, query and fragment.
 *
 * Pure function, also used for URIs read from web server logs. Returns the input array itself
 * when nothing needs changing.
 */

export interface NormalizedUri {
  bytes: Uint8Array;
  /** Evasions seen, in the fixed order of URI_EVASIONS, no duplicates. */
  evasions: UriEvasion[];
  /**
   * Length of the normalised path at the start of `bytes` (the decoded path may hold a '?' or
   * '#' of its own, from %3f or %23); -1 when `bytes` is the raw URI, whose path ends at its
   * first '?' or '#'.
   */
  pathEnd: number;
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
/** libhtp's bestfit_replacement_byte: what an unmapped %u code point becomes. */
const BESTFIT_REPLACEMENT = QMARK;
const HASH = 0x23;

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

/**
 * The stages write into two scratch arrays in turn (each stage's output is at most one byte
 * longer than the raw URI), so one normalization allocates only its result: a URI from a log
 * line costs a few hundred nanoseconds, not one allocation and one subarray per stage.
 * normalizeUri never re-enters itself, so module-level scratch is safe.
 */
let scratchA: Uint8Array = new Uint8Array(1024);
let scratchB: Uint8Array = new Uint8Array(1024);
/** Start offsets of the kept path segments, for '..' to pop back to (see collapsePath). */
let segmentStack = new Int32Array(1024);
/** The evasion flags of the normalization under way. */
let flagBits = 0;

function ensureScratch(n: number): void {
  if (scratchA.length >= n) return;
  const size = Math.max(n, scratchA.length * 2);
  scratchA = new Uint8Array(size);
  scratchB = new Uint8Array(size);
  segmentStack = new Int32Array(size);
}

export function normalizeUri(raw: Uint8Array): NormalizedUri {
  if (!needsWork(raw)) return { bytes: raw, evasions: [], pathEnd: -1 };
  flagBits = 0;
  const n = raw.length;
  ensureScratch(n + 2);

  const start = absoluteFormPathStart(raw);
  const q = pathEndAt(raw, start);
  const f = raw[q] === QMARK ? fragmentStartAt(raw, q + 1) : q;

  let path = scratchA;
  let spare = scratchB;
  let swap: Uint8Array;
  let pathLength: number;
  if (start === q) {
    // "http://host" or "http://host?x": the path is the root.
    path[0] = SLASH;
    pathLength = start > 0 ? 1 : 0;
  } else {
    pathLength = percentDecode(raw, start, q, path, 0, true, NEEDLESSLY_ENCODED_IN_PATH);
    if (hasDecodableEscape(path, pathLength)) {
      flagBits |= F_DOUBLE;
      pathLength = percentDecode(path, 0, pathLength, spare, 0, false, NEEDLESSLY_ENCODED_IN_PATH);
      swap = path;
      path = spare;
      spare = swap;
    }
    if (hasOverlongLead(path, pathLength)) {
      pathLength = foldOverlongUtf8(path, pathLength, spare);
      swap = path;
      path = spare;
      spare = swap;
    }
    pathLength = collapsePath(path, pathLength, spare);
    swap = path;
    path = spare;
    spare = swap;
  }

  let length = pathLength;
  if (q < f) length = appendDecoded(raw, q, f, path, length, true);
  if (f < n) length = appendDecoded(raw, f, n, path, length, false);
  return { bytes: copyOut(path, 0, length), evasions: flagsToEvasions(flagBits), pathEnd: pathLength };
}

/**
 * The URI as Suricata's http.uri holds it: the path normalised as normalizeUri normalises it,
 * the query as sent, the fragment decoded once. libhtp (htp_normalize_parsed_uri) copies the
 * query undecoded, so rules written against Suricata may spell an escape of the query
 * ("?command=cmd+%2Fc") that normalizeUri's decoded query never holds. Returns `raw` itself
 * when nothing needs changing.
 */
export function uriWithQueryAsSent(raw: Uint8Array): Uint8Array {
  if (!needsWork(raw)) return raw;
  const n = raw.length;
  const q = pathEndAt(raw, absoluteFormPathStart(raw));
  const normalized = normalizeUri(raw);
  // Without an escape after the path, decoding the query or fragment changes nothing.
  if (raw.indexOf(PCT, q) < 0) return normalized.bytes;
  const f = raw[q] === QMARK ? fragmentStartAt(raw, q + 1) : q;
  const pathLength = normalized.pathEnd;
  ensureScratch(pathLength + n - q + 2);
  const out = scratchA;
  out.set(normalized.bytes.subarray(0, pathLength), 0);
  out.set(raw.subarray(q, f), pathLength);
  let length = pathLength + f - q;
  if (f < n) length = appendDecoded(raw, f, n, out, length, false);
  return copyOut(out, 0, length);
}

/** Where the path of raw[start..] ends: its first '?' or '#', else the end. */
function pathEndAt(raw: Uint8Array, start: number): number {
  let i = start;
  while (i < raw.length && raw[i] !== QMARK && raw[i] !== HASH) i++;
  return i;
}

/** Where the fragment of a query starting at raw[from] starts: its first '#', else the end. */
function fragmentStartAt(raw: Uint8Array, from: number): number {
  const h = raw.indexOf(HASH, from);
  return h < 0 ? raw.length : h;
}

/**
 * Appends a query or fragment raw[from..to) (its '?' or '#' at raw[from]) to out[at..], its
 * escapes decoded once; returns the new length. Neither is collapsed like a path. In the query
 * (`query`), a %u escape of a code point libhtp's best-fit map lacks stays as sent: libhtp
 * leaves the whole query undecoded, so Suricata's http.uri holds "%u9090" there, never the '?'
 * it writes for such an escape in the path (a CodeRed query is no run of '?').
 */
function appendDecoded(raw: Uint8Array, from: number, to: number, out: Uint8Array, at: number, query: boolean): number {
  out[at] = raw[from]!;
  return at + 1 + percentDecode(raw, from + 1, to, out, at + 1, true, NEEDLESSLY_ENCODED_IN_QUERY, query);
}

/**
 * One %XX / %uXXXX decoding pass, as libhtp decodes the parts of a URI it does not normalise
 * otherwise (the hostname of an absolute-form target). Returns `raw` itself without a '%'.
 */
export function urlDecodeOnce(raw: Uint8Array): Uint8Array {
  if (raw.indexOf(PCT) < 0) return raw;
  const out = new Uint8Array(raw.length);
  return out.subarray(0, percentDecode(raw, 0, raw.length, out, 0, true, NEEDLESSLY_ENCODED_IN_QUERY));
}

/** Whether normalizeUri would change `raw` or report an evasion (false: it returns `raw` as is). */
export function uriNeedsNormalizing(raw: Uint8Array): boolean {
  return needsWork(raw);
}

/** Fast path: plain ASCII URIs without escapes or dot/slash oddities are already normal. */
function needsWork(raw: Uint8Array): boolean {
  const n = raw.length;
  if (n > 0 && raw[0] !== SLASH) return true; // absolute form, '*', relative: let the slow path decide
  let inQuery = false; // past the path: in the query or the fragment, which are never collapsed
  for (let i = 0; i < n; i++) {
    const b = raw[i]!;
    if (b === PCT || b >= 0x80) return true;
    if (inQuery) continue;
    if (b === QMARK || b === HASH) inQuery = true;
    else if (b === BACKSLASH) return true;
    else if (b === SLASH && i + 1 < n) {
      const c = raw[i + 1]!;
      if (c === SLASH || c === DOT) return true;
    }
  }
  return false;
}

/** Offset of the path in an absolute-form target ("http://host:port/path"), else 0. The authority ends at '/', '?' or '#'. */
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
    if (b === SLASH || b === QMARK || b === HASH) return j;
  }
  return n;
}

/**
 * One %-decoding pass over src[start..end) into out[at..]; returns the decoded length (never
 * more than end - start). `firstPass` marks raw input, where bytes >= 0x80 are bare bytes;
 * later passes only see what earlier passes produced.
 */
function percentDecode(src: Uint8Array, start: number, end: number, out: Uint8Array, at: number, firstPass: boolean, needless: Uint8Array, unmappedAsSent = false): number {
  let o = at;
  for (let i = start; i < end; i++) {
    const b = src[i]!;
    if (b !== PCT) {
      if (firstPass && b >= 0x80) flagBits |= F_BARE;
      out[o++] = b;
      continue;
    }
    if (i + 2 < end) {
      const h = hexValue(src[i + 1]!);
      const l = hexValue(src[i + 2]!);
      if (h >= 0 && l >= 0) {
        const v = (h << 4) | l;
        if (needless[v] === 1) flagBits |= F_ASCII;
        if (v === 0) flagBits |= F_NULL;
        out[o++] = v;
        i += 2;
        continue;
      }
    }
    if (i + 5 < end && (src[i + 1]! | 0x20) === 0x75) {
      const cp = hex4(src, i + 2);
      if (cp >= 0) {
        flagBits |= F_IIS_U;
        if (unmappedAsSent && cp >= 0x100 && BESTFIT_1252[cp] === 0) {
          out[o++] = b;
          continue;
        }
        if (cp === 0) flagBits |= F_NULL;
        out[o++] = iisByte(cp);
        i += 5;
        continue;
      }
    }
    flagBits |= F_INVALID;
    out[o++] = b;
  }
  return o - at;
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
 * The byte a %u code point decodes to, as libhtp writes it (decode_u_encoding_path, and
 * decode_u_encoding_params for the fragment and hostname): Suricata's http.uri holds one byte
 * per %u escape, so a rule written for it ("??????????" for a CodeRed %u9090 sled) must see the
 * same byte here. %u00XX is the byte XX (NUL included: libhtp keeps an encoded NUL in the path);
 * above U+00FF, the best-fit byte (full-width forms to their ASCII twins, U+0100 to 'A', ...),
 * else '?', libhtp's default replacement byte. Snort's http_inspect also maps %u to one byte.
 */
function iisByte(cp: number): number {
  if (cp < 0x100) return cp;
  const b = BESTFIT_1252[cp]!;
  return b === 0 ? BESTFIT_REPLACEMENT : b;
}

/** Whether a decoded path buf[0..length) still holds a %XX or %uXXXX escape (so IIS would decode it again). */
function hasDecodableEscape(buf: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i++) {
    if (buf[i] !== PCT) continue;
    if (i + 2 < length && hexValue(buf[i + 1]!) >= 0 && hexValue(buf[i + 2]!) >= 0) return true;
    if (i + 5 < length && (buf[i + 1]! | 0x20) === 0x75 && hex4(buf, i + 2) >= 0) return true;
  }
  return false;
}

/** Whether buf[0..length) holds a byte that may lead an overlong UTF-8 sequence. */
function hasOverlongLead(buf: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (buf[i]! >= 0xc0) return true;
  return false;
}

/**
 * Folds overlong UTF-8 to the character it encodes. Like IIS's lax decoder, a C0/C1 lead byte
 * takes the low six bits of whatever byte follows, which is how %c1%1c and %c0%2f became
 * '\' and '/'. Writes buf[0..n) folded into out[0..]; returns its length.
 */
function foldOverlongUtf8(buf: Uint8Array, n: number, out: Uint8Array): number {
  let i = 0;
  let o = 0;
  while (i < n) {
    const b = buf[i]!;
    if ((b === 0xc0 || b === 0xc1) && i + 1 < n) {
      out[o++] = ((b & 0x1f) << 6) | (buf[i + 1]! & 0x3f);
      flagBits |= F_OVERLONG;
      i += 2;
      continue;
    }
    if (b === 0xe0 && i + 2 < n && isCont(buf[i + 1]!) && buf[i + 1]! < 0xa0 && isCont(buf[i + 2]!)) {
      const cp = ((buf[i + 1]! & 0x3f) << 6) | (buf[i + 2]! & 0x3f);
      o = writeShortest(out, o, cp);
      flagBits |= F_OVERLONG;
      i += 3;
      continue;
    }
    if (b === 0xf0 && i + 3 < n && isCont(buf[i + 1]!) && buf[i + 1]! < 0x90 && isCont(buf[i + 2]!) && isCont(buf[i + 3]!)) {
      const cp = ((buf[i + 1]! & 0x3f) << 12) | ((buf[i + 2]! & 0x3f) << 6) | (buf[i + 3]! & 0x3f);
      o = writeShortest(out, o, cp);
      flagBits |= F_OVERLONG;
      i += 4;
      continue;
    }
    out[o++] = b;
    i++;
  }
  return o;
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

/**
 * '\' to '/', then '//', '/./' and '/../' resolved; a trailing '/.' or '/..' keeps its slash.
 * Writes path[0..n) collapsed into out[0..] (at most n + 1 bytes); returns its length.
 */
function collapsePath(path: Uint8Array, n: number, out: Uint8Array): number {
  let o = 0;
  // Offsets in `out` where each kept segment's leading '/' sits, for '..' to pop back to.
  const segStarts = segmentStack;
  let depth = 0;
  let i = 0;
  for (let k = 0; k < n; k++) {
    if (path[k] === BACKSLASH) {
      flagBits |= F_BACKSLASH;
      break;
    }
  }
  const rooted = n > 0 && isSep(path[0]!);
  while (i < n) {
    let segStart = i;
    if (isSep(path[i]!)) {
      let j = i;
      while (j < n && isSep(path[j]!)) j++;
      if (j - i > 1) flagBits |= F_MULTI_SLASH;
      segStart = j;
    } else if (i !== 0) {
      segStart = i;
    }
    let segEnd = segStart;
    while (segEnd < n && !isSep(path[segEnd]!)) segEnd++;
    const segLen = segEnd - segStart;
    const leadingSlash = rooted || i !== 0;
    if (segLen === 1 && path[segStart] === DOT) {
      flagBits |= F_SELF_DIR;
      if (segEnd === n && leadingSlash) out[o++] = SLASH;
    } else if (segLen === 2 && path[segStart] === DOT && path[segStart + 1] === DOT) {
      flagBits |= F_TRAVERSAL;
      if (depth > 0) o = segStarts[--depth]!;
      else {
        flagBits |= F_ABOVE_ROOT;
        o = 0;
      }
      if (segEnd === n && leadingSlash) out[o++] = SLASH;
    } else {
      if (segLen > 0 || segEnd === n) {
        segStarts[depth++] = o;
        if (leadingSlash) out[o++] = SLASH;
        for (let k = segStart; k < segEnd; k++) out[o++] = path[k]!;
      }
    }
    i = segEnd;
  }
  if (o === 0 && rooted) out[o++] = SLASH;
  return o;
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
