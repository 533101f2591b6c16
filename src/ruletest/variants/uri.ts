/**
 * Rewritings of a request target that keep its meaning for the target server, the way an
 * attacker hides a path from a pattern matcher:
 *
 *   any server   letters, digits and -._~ written as %XX (path and query; '/' too in the
 *                query), case of hex digits
 *                in existing escapes, "/./" and "//" in the path
 *   IIS 4/5      in the path, any ASCII character as %XX, %uXXXX, full-width %uFFxx
 *                (letters and digits), overlong UTF-8 (%c1%9c, %e0%80%af, or raw bytes),
 *                double encoding (%255c, %%35c, %5%63, %25%35%63); case of letters in names
 *
 * IIS decodes a path in passes: %XX and %uXXXX first (pass 1), a second %-pass when pass 1
 * left an escape behind, then folds overlong UTF-8. A rewriting must give pass 1 the same
 * bytes, or, for overlong and double forms, bytes that the later steps turn back into the
 * same character without touching their neighbours. Positions next to a '%' or a byte >= 0x80
 * of the pass-1 output (where a second-pass escape or an overlong sequence is being formed)
 * therefore only take the exact forms (%XX, %u). The query (or fragment) is split at the
 * first raw '?' or '#', which is never encoded, and only takes %XX of unreserved characters
 * and '/': '&', '=', '+' and the rest keep their meaning to the application.
 */
import type { Target } from '../model.js';

export const ENC_PCT_UPPER = 0;
export const ENC_PCT_LOWER = 1;
export const ENC_U = 2;
export const ENC_FULLWIDTH = 3;
export const ENC_OVERLONG2 = 4;
export const ENC_OVERLONG3 = 5;
export const ENC_OVERLONG_RAW = 6;
export const ENC_DOUBLE = 7;
export const ENC_DOUBLE_HI = 8;
export const ENC_DOUBLE_LO = 9;
export const ENC_DOUBLE_BOTH = 10;

const ENC_NAMES = ['%XX', '%xx', '%uXXXX', 'full-width %uFFxx', 'overlong %c0%XX', 'overlong %e0%80%XX', 'raw overlong bytes', '%25XX', '%%3XX', '%X%3X', '%25%3X%3X'];

export function encodingName(kind: number): string {
  return ENC_NAMES[kind] ?? `#${kind}`;
}

const PCT = 0x25;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const QMARK = 0x3f;
const HASH = 0x23;
const DOT = 0x2e;

/** One token of the raw target: a plain byte, or a %XX / %uXXXX escape. */
interface Token {
  start: number;
  end: number;
  escape: boolean;
  /** Index of the token's first byte in the pass-1 output. */
  d1: number;
}

export interface UriAnalysis {
  raw: Uint8Array;
  /** End of the path: index of the first raw '?' or '#', or the length. */
  pathEnd: number;
  /** Start of the path (after "scheme://authority" of an absolute-form target). */
  pathStart: number;
  tokens: Token[];
  /** Pass-1 output of the path. */
  d1: Uint8Array;
  /** Per raw index of a plain byte: the pass-1 neighbourhood is delicate (see the file comment). */
  sensitive: Uint8Array;
  /** Per raw index: 1 inside a %XX or %uXXXX escape. */
  inEscape: Uint8Array;
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

function isAlnum(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

function isLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/** Unreserved characters (RFC 3986): equivalent to their %XX form for every server. */
function isUnreserved(b: number): boolean {
  return isAlnum(b) || b === 0x2d || b === DOT || b === 0x5f || b === 0x7e;
}

/** Start of the path in "scheme://authority/path" (0 for origin-form targets). */
function absolutePathStart(raw: Uint8Array): number {
  let i = 0;
  while (i < raw.length && i < 16) {
    const b = raw[i]!;
    const alpha = isLetter(b);
    if (!alpha && !(i > 0 && (isAlnum(b) || b === 0x2b || b === 0x2d || b === DOT))) break;
    i++;
  }
  if (i === 0 || raw[i] !== 0x3a || raw[i + 1] !== SLASH || raw[i + 2] !== SLASH) return 0;
  for (let j = i + 3; j < raw.length; j++) if (raw[j] === SLASH || raw[j] === QMARK) return j;
  return raw.length;
}

/** Bytes IIS's pass 1 makes of a %u code point (as the normalizer models it). */
function uBytes(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp >= 0xff01 && cp <= 0xff5e) return [cp - 0xfee0];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}

export function analyzeUri(raw: Uint8Array): UriAnalysis {
  const pathStart = absolutePathStart(raw);
  // The path ends at the first raw '?' or '#': a server, and http.uri, never collapse or
  // re-decode what follows as path.
  let pathEnd = raw.indexOf(QMARK, pathStart);
  if (pathEnd < 0) pathEnd = raw.length;
  const hash = raw.indexOf(HASH, pathStart);
  if (hash >= 0 && hash < pathEnd) pathEnd = hash;
  const tokens: Token[] = [];
  const inEscape = new Uint8Array(raw.length);
  const sensitive = new Uint8Array(raw.length);
  // Only origin-form ("/path") and absolute-form targets have a path to rewrite ("*" does not).
  if (pathStart === 0 && raw[0] !== SLASH) return { raw, pathEnd, pathStart, tokens, d1: new Uint8Array(0), sensitive, inEscape };
  const d1: number[] = [];
  const tokenize = (from: number, to: number, path: boolean): void => {
    for (let i = from; i < to; ) {
      const b = raw[i]!;
      if (b === PCT && i + 2 < to && hexValue(raw[i + 1]!) >= 0 && hexValue(raw[i + 2]!) >= 0) {
        tokens.push({ start: i, end: i + 3, escape: true, d1: d1.length });
        inEscape.fill(1, i, i + 3);
        if (path) d1.push((hexValue(raw[i + 1]!) << 4) | hexValue(raw[i + 2]!));
        i += 3;
        continue;
      }
      if (b === PCT && i + 5 < to && (raw[i + 1]! | 0x20) === 0x75) {
        let cp = 0;
        let ok = true;
        for (let k = 2; k < 6; k++) {
          const h = hexValue(raw[i + k]!);
          if (h < 0) ok = false;
          cp = (cp << 4) | Math.max(0, h);
        }
        if (ok) {
          tokens.push({ start: i, end: i + 6, escape: true, d1: d1.length });
          inEscape.fill(1, i, i + 6);
          if (path) d1.push(...uBytes(cp));
          i += 6;
          continue;
        }
      }
      tokens.push({ start: i, end: i + 1, escape: false, d1: d1.length });
      if (path) d1.push(b);
      i++;
    }
  };
  tokenize(pathStart, pathEnd, true);
  const d1Bytes = Uint8Array.from(d1);
  for (const t of tokens) {
    if (t.escape || t.start >= pathEnd) continue;
    const j = t.d1;
    let s = d1Bytes[j] === PCT || d1Bytes[j]! >= 0x80;
    for (let k = Math.max(0, j - 5); k < j && !s; k++) if (d1Bytes[k] === PCT) s = true;
    for (let k = Math.max(0, j - 3); k < j && !s; k++) if (d1Bytes[k]! >= 0x80) s = true;
    if (s) sensitive[t.start] = 1;
  }
  if (pathEnd < raw.length) tokenize(pathEnd + 1, raw.length, false);
  return { raw, pathEnd, pathStart, tokens, d1: d1Bytes, sensitive, inEscape };
}

/** The encodings a plain byte at raw index `i` may take for the target. */
export function allowedEncodings(a: UriAnalysis, i: number, target: Target): number[] {
  const b = a.raw[i]!;
  // The path's leading '/' is what makes it a path: it stays as it is.
  if (i <= a.pathStart || a.tokens.length === 0 || a.inEscape[i] === 1) return [];
  if (i >= a.pathEnd) {
    // Query: the application splits it on '&', '=', '+' before decoding, so those keep their
    // form; unreserved characters and '/' mean the same escaped (a traversal in a parameter,
    // file=..%2F..%2Fetc%2Fpasswd, reaches the application as file=../../etc/passwd).
    return i > a.pathEnd && (isUnreserved(b) || b === SLASH) ? [ENC_PCT_UPPER, ENC_PCT_LOWER] : [];
  }
  if (target !== 'iis') return isUnreserved(b) ? [ENC_PCT_UPPER, ENC_PCT_LOWER] : [];
  if (b >= 0x80) return [ENC_PCT_UPPER, ENC_PCT_LOWER];
  if (b < 0x20 && b !== 0x09) return [ENC_PCT_UPPER, ENC_PCT_LOWER];
  const kinds = [ENC_PCT_UPPER, ENC_PCT_LOWER, ENC_U];
  if (isAlnum(b)) kinds.push(ENC_FULLWIDTH);
  if (a.sensitive[i] === 0) kinds.push(ENC_OVERLONG2, ENC_OVERLONG3, ENC_OVERLONG_RAW, ENC_DOUBLE, ENC_DOUBLE_HI, ENC_DOUBLE_LO, ENC_DOUBLE_BOTH);
  return kinds;
}

function hex2(v: number, lower: boolean): string {
  const s = v.toString(16).padStart(2, '0');
  return lower ? s : s.toUpperCase();
}

/** The bytes that stand for byte `b` written with encoding `kind`. */
export function encodeByte(b: number, kind: number): number[] {
  const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
  const h = hex2(b, false);
  switch (kind) {
    case ENC_PCT_UPPER:
      return ascii(`%${h}`);
    case ENC_PCT_LOWER:
      return ascii(`%${hex2(b, true)}`);
    case ENC_U:
      return ascii(`%u00${h}`);
    case ENC_FULLWIDTH:
      return ascii(`%u${(b + 0xfee0).toString(16).toUpperCase()}`);
    case ENC_OVERLONG2:
      return ascii(`%${hex2(0xc0 | (b >> 6), false)}%${hex2(0x80 | (b & 0x3f), false)}`);
    case ENC_OVERLONG3:
      return ascii(`%E0%${hex2(0x80 | (b >> 6), false)}%${hex2(0x80 | (b & 0x3f), false)}`);
    case ENC_OVERLONG_RAW:
      return [0xc0 | (b >> 6), 0x80 | (b & 0x3f)];
    case ENC_DOUBLE:
      return ascii(`%25${h}`);
    case ENC_DOUBLE_HI:
      return ascii(`%%${hex2(h.charCodeAt(0), false)}${h[1]}`);
    case ENC_DOUBLE_LO:
      return ascii(`%${h[0]}%${hex2(h.charCodeAt(1), false)}`);
    case ENC_DOUBLE_BOTH:
      return ascii(`%25%${hex2(h.charCodeAt(0), false)}%${hex2(h.charCodeAt(1), false)}`);
    default:
      throw new RangeError(`unknown URI encoding ${kind}`);
  }
}

/** Raw indexes of plain bytes that have at least one encoding for the target. */
export function encodablePositions(a: UriAnalysis, target: Target): number[] {
  const out: number[] = [];
  for (const t of a.tokens) if (!t.escape && allowedEncodings(a, t.start, target).length > 0) out.push(t.start);
  return out;
}

/** Raw indexes of hex digits inside escapes (their case is free). */
export function hexLetterPositions(a: UriAnalysis): number[] {
  const out: number[] = [];
  for (const t of a.tokens) {
    if (!t.escape) continue;
    for (let i = t.start + 1; i < t.end; i++) {
      const b = a.raw[i]!;
      if (isLetter(b) && (b | 0x20) !== 0x75) out.push(i);
    }
  }
  return out;
}

/** Raw indexes of plain '/' in the path where "/./" (trick 0) or "//" (trick 1) may go. */
export function slashPositions(a: UriAnalysis): { index: number; tricks: number[] }[] {
  const out: { index: number; tricks: number[] }[] = [];
  for (const t of a.tokens) {
    if (t.escape || t.start >= a.pathEnd || a.raw[t.start] !== SLASH || a.sensitive[t.start] === 1) continue;
    // "//" before a ".." segment is read differently by servers that merge slashes first
    // (IIS, Apache) and by RFC 3986 dot-segment removal: only where no ".." can follow.
    const rest = a.raw.subarray(t.start + 1, a.pathEnd);
    const opaque = rest.some((b) => b === PCT || b === BACKSLASH || b >= 0x80);
    const text = String.fromCharCode(...rest.subarray(0, Math.min(rest.length, 4096)));
    const dotdot = rest.length > 4096 || /(^|\/)\.\.(\/|$)/.test(text);
    out.push({ index: t.start, tricks: opaque || dotdot ? [0] : [0, 1] });
  }
  return out;
}

/** Raw indexes of letters in path segments that name files or directories (IIS ignores their case). */
export function pathLetterPositions(a: UriAnalysis): number[] {
  const out: number[] = [];
  let segStart = a.pathStart;
  const flush = (end: number): void => {
    // Long or binary segments carry payload (padding, shellcode), not names.
    if (end - segStart > 64) return;
    for (let i = segStart; i < end; i++) if (a.raw[i]! >= 0x80 || a.raw[i]! < 0x20) return;
    for (let i = segStart; i < end; i++) {
      if (a.inEscape[i] === 0 && isLetter(a.raw[i]!) && a.sensitive[i] === 0) out.push(i);
    }
  };
  if (a.tokens.length === 0) return out;
  for (let i = a.pathStart; i < a.pathEnd; i++) {
    if (a.raw[i] === SLASH || a.raw[i] === BACKSLASH) {
      flush(i);
      segStart = i + 1;
    }
  }
  flush(a.pathEnd);
  return out;
}

export interface UriRewrite {
  /** Raw index -> encoding kind. */
  encode: Map<number, number>;
  /** Raw indexes whose letter case flips (path letters, hex digits of escapes). */
  flipCase: Set<number>;
  /** Raw index of a '/' -> trick (0: "/./", 1: "//"). */
  tricks: Map<number, number>;
}

function flip(b: number): number {
  return isLetter(b) ? b ^ 0x20 : b;
}

/** Applies a rewrite; positions it names that are not allowed are left alone. */
export function rewriteUri(a: UriAnalysis, target: Target, rw: UriRewrite): Uint8Array {
  const out: number[] = [];
  const raw = a.raw;
  for (let i = 0; i < raw.length; i++) {
    let b = raw[i]!;
    if (rw.flipCase.has(i)) b = flip(b);
    const kind = rw.encode.get(i);
    if (kind !== undefined && a.inEscape[i] === 0 && allowedEncodings(a, i, target).includes(kind)) out.push(...encodeByte(b, kind));
    else out.push(b);
    const trick = rw.tricks.get(i);
    if (trick !== undefined && b === SLASH) {
      if (trick === 0) out.push(DOT, SLASH);
      else out.push(SLASH);
    }
  }
  return Uint8Array.from(out);
}
