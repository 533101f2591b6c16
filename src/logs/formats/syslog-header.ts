import { isDigit, skipSpaces, tokenEnd } from '../bytes.js';
import type { ParseContext } from './context.js';
import { scan, scanBsd, scanIso } from './time-scan.js';

/**
 * The parts of a syslog header, as offsets into the line (-1 when absent). Filled in place by
 * parseSyslogHeader so the hot path allocates nothing; records copy the numbers they keep.
 */
export interface SyslogHeader {
  pri: number;
  version: number;
  tsUs: number;
  hostStart: number;
  hostEnd: number;
  progStart: number;
  progEnd: number;
  pidStart: number;
  pidEnd: number;
  msgIdStart: number;
  msgIdEnd: number;
  sdStart: number;
  sdEnd: number;
  msgStart: number;
}

export function newHeader(): SyslogHeader {
  return {
    pri: -1,
    version: 0,
    tsUs: NaN,
    hostStart: -1,
    hostEnd: -1,
    progStart: -1,
    progEnd: -1,
    pidStart: -1,
    pidEnd: -1,
    msgIdStart: -1,
    msgIdEnd: -1,
    sdStart: -1,
    sdEnd: -1,
    msgStart: 0,
  };
}

function reset(h: SyslogHeader): void {
  h.pri = -1;
  h.version = 0;
  h.tsUs = NaN;
  h.hostStart = h.hostEnd = h.progStart = h.progEnd = h.pidStart = h.pidEnd = -1;
  h.msgIdStart = h.msgIdEnd = h.sdStart = h.sdEnd = -1;
  h.msgStart = 0;
}

/**
 * Parses an RFC 5424 or RFC 3164 header (with the common deviations: no PRI, RFC 3339 time in
 * a 3164 layout, no hostname, `<facility.level>` after the time, Cisco's `Mmm dd yyyy hh:mm:ss:`).
 * Returns false when the line has no recognizable timestamp: RFC 3164 relays treat such a
 * line as all MSG, which callers do by starting the message at 0.
 */
export function parseSyslogHeader(b: Uint8Array, ctx: ParseContext, h: SyslogHeader): boolean {
  reset(h);
  const end = b.length;
  let i = 0;
  if (b[0] === 0x3c) {
    let j = 1;
    let pri = 0;
    while (j < end && j < 5 && isDigit(b[j]!)) pri = pri * 10 + (b[j++]! - 0x30);
    if (j > 1 && j < end && b[j] === 0x3e && pri <= 191) {
      h.pri = pri;
      i = j + 1;
      if (i + 1 < end && b[i] === 0x31 && b[i + 1] === 0x20) return parse5424(b, i + 2, ctx, h);
    }
  }
  i = skipSpaces(b, i, end);
  let ts = isDigit(b[i] ?? 0) ? scanIso(b, i, end, ctx) : scanBsd(b, i, end, ctx);
  if (Number.isNaN(ts)) return false;
  // rsyslog relaying a forwarded message sometimes keeps a second stamp; the first wins.
  h.tsUs = ts;
  i = skipSpaces(b, scan.end, end);
  // BSD syslogd with `-v` writes <facility.level> after the time.
  if (b[i] === 0x3c) {
    const close = b.indexOf(0x3e, i);
    if (close > i && close - i < 24) i = skipSpaces(b, close + 1, end);
  }
  parseHostAndTag(b, i, end, h);
  return true;
}

function isTagToken(b: Uint8Array, s: number, e: number): boolean {
  if (e <= s || e - s > 96) return false;
  const last = b[e - 1];
  if (last === 0x3a) return true;
  if (last === 0x5d) return b.indexOf(0x5b, s) > s && b.indexOf(0x5b, s) < e;
  return false;
}

function parseHostAndTag(b: Uint8Array, i: number, end: number, h: SyslogHeader): void {
  const e1 = tokenEnd(b, i, end);
  if (e1 === i) {
    h.msgStart = i;
    return;
  }
  let tagStart = -1;
  let tagEnd = -1;
  if (b[i] === 0x25 || isTagToken(b, i, e1)) {
    // No hostname: the first token is already the tag (`dnsmasq[15210]:`) or a Cisco mnemonic.
    tagStart = i;
    tagEnd = e1;
  } else {
    h.hostStart = i;
    h.hostEnd = e1;
    const s2 = skipSpaces(b, e1, end);
    const e2 = tokenEnd(b, s2, end);
    if (e2 > s2 && isTagToken(b, s2, e2)) {
      tagStart = s2;
      tagEnd = e2;
    } else {
      h.msgStart = s2;
      return;
    }
  }
  setTag(b, tagStart, tagEnd, h);
  h.msgStart = skipSpaces(b, tagEnd, end);
}

function setTag(b: Uint8Array, s: number, e: number, h: SyslogHeader): void {
  let te = e;
  if (b[te - 1] === 0x3a) te--;
  const lb = b.indexOf(0x5b, s);
  if (lb >= s && lb < te && b[te - 1] === 0x5d) {
    h.progStart = s;
    h.progEnd = lb;
    h.pidStart = lb + 1;
    h.pidEnd = te - 1;
  } else {
    h.progStart = s;
    h.progEnd = te;
  }
}

function nilOrToken(b: Uint8Array, i: number, end: number): [number, number, number] {
  const e = tokenEnd(b, i, end);
  if (e - i === 1 && b[i] === 0x2d) return [-1, -1, e];
  return [i, e, e];
}

function parse5424(b: Uint8Array, i: number, ctx: ParseContext, h: SyslogHeader): boolean {
  const end = b.length;
  h.version = 1;
  if (b[i] === 0x2d && b[i + 1] === 0x20) {
    i += 2;
  } else {
    const ts = scanIso(b, i, end, ctx);
    if (Number.isNaN(ts)) return false;
    h.tsUs = ts;
    i = skipSpaces(b, scan.end, end);
  }
  const [hs, he, n1] = nilOrToken(b, i, end);
  h.hostStart = hs;
  h.hostEnd = he;
  i = skipSpaces(b, n1, end);
  const [as, ae, n2] = nilOrToken(b, i, end);
  h.progStart = as;
  h.progEnd = ae;
  i = skipSpaces(b, n2, end);
  const [ps, pe, n3] = nilOrToken(b, i, end);
  h.pidStart = ps;
  h.pidEnd = pe;
  i = skipSpaces(b, n3, end);
  const [ms, me, n4] = nilOrToken(b, i, end);
  h.msgIdStart = ms;
  h.msgIdEnd = me;
  i = skipSpaces(b, n4, end);
  if (b[i] === 0x5b) {
    // STRUCTURED-DATA: one or more [id param="value"...] elements; `\]` and `\"` are escaped.
    const sdStart = i;
    let inQuote = false;
    while (i < end) {
      const c = b[i]!;
      if (c === 0x5c) {
        i += 2;
        continue;
      }
      if (c === 0x22) inQuote = !inQuote;
      else if (c === 0x5d && !inQuote && (i + 1 >= end || b[i + 1] !== 0x5b)) {
        i++;
        break;
      }
      i++;
    }
    h.sdStart = sdStart;
    h.sdEnd = Math.min(i, end);
  } else if (b[i] === 0x2d) {
    i++;
  }
  if (i < end && b[i] === 0x20) i++;
  // A UTF-8 BOM marks an UTF-8 MSG; the bytes after it are the message.
  if (b[i] === 0xef && b[i + 1] === 0xbb && b[i + 2] === 0xbf) i += 3;
  h.msgStart = Math.min(i, end);
  return true;
}
