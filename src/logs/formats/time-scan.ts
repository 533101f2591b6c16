import { digits, isDigit } from '../bytes.js';
import { isWeekdayAt, monthAt } from '../time.js';
import type { ParseContext } from './context.js';

/**
 * Scanners for the leading timestamps logs use. Each returns UTC microseconds (NaN when the
 * bytes at `i` are not that shape) and leaves the index just after the timestamp in `scan.end`.
 * Module-level scratch keeps the hot path free of allocations.
 */
export const scan = { end: 0 };

const clock = { h: 0, m: 0, s: 0, us: 0, end: 0 };

/** HH:MM:SS with optional .fraction or ,fraction (milliseconds in Python/log4j style). */
function parseClock(b: Uint8Array, i: number, end: number): boolean {
  if (i + 8 > end || b[i + 2] !== 0x3a || b[i + 5] !== 0x3a) {
    // Single-digit hours ("9:05:01") appear in some BSD-style logs.
    if (i + 7 <= end && b[i + 1] === 0x3a && b[i + 4] === 0x3a) {
      const h1 = digits(b, i, 1);
      const m1 = digits(b, i + 2, 2);
      const s1 = digits(b, i + 5, 2);
      if (h1 < 0 || m1 < 0 || s1 < 0) return false;
      clock.h = h1;
      clock.m = m1;
      clock.s = s1;
      return parseFraction(b, i + 7, end);
    }
    return false;
  }
  const h = digits(b, i, 2);
  const m = digits(b, i + 3, 2);
  const s = digits(b, i + 6, 2);
  if (h < 0 || m < 0 || s < 0) return false;
  clock.h = h;
  clock.m = m;
  clock.s = s;
  return parseFraction(b, i + 8, end);
}

function parseFraction(b: Uint8Array, i: number, end: number): boolean {
  clock.us = 0;
  if (i < end && (b[i] === 0x2e || b[i] === 0x2c) && i + 1 < end && isDigit(b[i + 1]!)) {
    let j = i + 1;
    let us = 0;
    let n = 0;
    while (j < end && isDigit(b[j]!)) {
      if (n < 6) {
        us = us * 10 + (b[j]! - 0x30);
        n++;
      }
      j++;
    }
    while (n < 6) {
      us *= 10;
      n++;
    }
    clock.us = us;
    i = j;
  }
  clock.end = i;
  return true;
}

/** `Z`, `+hh:mm`, `+hhmm`, `+hh` at i; minutes east of UTC, or NaN when none (scan.end unchanged). */
function parseZone(b: Uint8Array, i: number, end: number): number {
  if (i >= end) return NaN;
  const c = b[i];
  if (c === 0x5a || c === 0x7a) {
    scan.end = i + 1;
    return 0;
  }
  if (c !== 0x2b && c !== 0x2d) return NaN;
  const h = i + 3 <= end ? digits(b, i + 1, 2) : -1;
  if (h < 0) return NaN;
  let j = i + 3;
  let m = 0;
  if (j < end && b[j] === 0x3a) j++;
  if (j + 2 <= end && isDigit(b[j]!) && isDigit(b[j + 1]!)) {
    m = digits(b, j, 2);
    j += 2;
  } else if (b[j - 1] === 0x3a) return NaN;
  if (h > 23 || m > 59) return NaN;
  scan.end = j;
  return (c === 0x2d ? -1 : 1) * (h * 60 + m);
}

/**
 * ISO 8601 / RFC 3339: `YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+hh:mm|+hhmm]`, and the same with `/`
 * between date parts (nginx error log, OSSEC). Without a zone, the `tz` option applies.
 */
export function scanIso(b: Uint8Array, i: number, end: number, ctx: ParseContext): number {
  if (i + 19 > end) return NaN;
  const sep = b[i + 4];
  if ((sep !== 0x2d && sep !== 0x2f) || b[i + 7] !== sep) return NaN;
  const t = b[i + 10];
  if (t !== 0x54 && t !== 0x20 && t !== 0x74) return NaN;
  const y = digits(b, i, 4);
  const mo = digits(b, i + 5, 2);
  const d = digits(b, i + 8, 2);
  if (y < 0 || mo < 0 || d < 0 || !parseClock(b, i + 11, end)) return NaN;
  const off = parseZone(b, clock.end, end);
  if (Number.isNaN(off)) {
    scan.end = clock.end;
    return ctx.local(y, mo, d, clock.h, clock.m, clock.s, clock.us);
  }
  return ctx.withOffset(y, mo, d, clock.h, clock.m, clock.s, clock.us, off);
}

/**
 * BSD syslog `Mmm dd HH:MM:SS` (day space- or zero-padded), optionally with a year after the day
 * (`Mar 29 2004 09:54:18`, Cisco) or after the clock (`Mmm dd HH:MM:SS YYYY`), and an optional
 * trailing colon (Cisco). Year-less dates go through the year inference.
 */
export function scanBsd(b: Uint8Array, i: number, end: number, ctx: ParseContext): number {
  const mo = monthAt(b, i);
  if (mo === 0 || i + 3 >= end || b[i + 3] !== 0x20) return NaN;
  let j = i + 4;
  if (b[j] === 0x20) j++;
  let d = 0;
  let nd = 0;
  while (j < end && isDigit(b[j]!) && nd < 2) {
    d = d * 10 + (b[j]! - 0x30);
    j++;
    nd++;
  }
  if (nd === 0 || j >= end || b[j] !== 0x20) return NaN;
  j++;
  let year = -1;
  if (j + 5 <= end && b[j + 4] === 0x20 && digits(b, j, 4) >= 0 && b[j + 2] !== 0x3a) {
    year = digits(b, j, 4);
    j += 5;
  }
  if (!parseClock(b, j, end)) return NaN;
  j = clock.end;
  if (year < 0 && j + 5 <= end && b[j] === 0x20 && digits(b, j + 1, 4) >= 0 && (j + 5 === end || b[j + 5] === 0x20 || b[j + 5] === 0x3a)) {
    year = digits(b, j + 1, 4);
    j += 5;
  }
  if (j < end && b[j] === 0x3a) j++;
  scan.end = j;
  if (year >= 0) return ctx.local(year, mo, d, clock.h, clock.m, clock.s, clock.us);
  return ctx.yearless(mo, d, clock.h, clock.m, clock.s, clock.us);
}

/** ctime: `Www Mmm dd HH:MM:SS[.us] YYYY` (Apache error log, vsftpd), optionally with a zone name before the year. */
export function scanCtime(b: Uint8Array, i: number, end: number, ctx: ParseContext): number {
  if (!isWeekdayAt(b, i) || b[i + 3] !== 0x20) return NaN;
  const mo = monthAt(b, i + 4);
  if (mo === 0 || b[i + 7] !== 0x20) return NaN;
  let j = i + 8;
  if (b[j] === 0x20) j++;
  let d = 0;
  let nd = 0;
  while (j < end && isDigit(b[j]!) && nd < 2) {
    d = d * 10 + (b[j]! - 0x30);
    j++;
    nd++;
  }
  if (nd === 0 || b[j] !== 0x20 || !parseClock(b, j + 1, end)) return NaN;
  j = clock.end;
  if (b[j] !== 0x20) return NaN;
  j++;
  // A zone abbreviation ("CDT") may sit before the year; it is ambiguous, so the tz option still applies.
  let k = j;
  while (k < end && k - j < 6 && b[k]! >= 0x41 && b[k]! <= 0x5a) k++;
  if (k > j && b[k] === 0x20) j = k + 1;
  const y = j + 4 <= end ? digits(b, j, 4) : -1;
  if (y < 0) return NaN;
  scan.end = j + 4;
  return ctx.local(y, mo, d, clock.h, clock.m, clock.s, clock.us);
}

/** `YYYY Mmm dd HH:MM:SS` (OSSEC's own logs). */
export function scanYearFirst(b: Uint8Array, i: number, end: number, ctx: ParseContext): number {
  if (i + 20 > end || b[i + 4] !== 0x20) return NaN;
  const y = digits(b, i, 4);
  const mo = monthAt(b, i + 5);
  if (y < 0 || mo === 0 || b[i + 8] !== 0x20) return NaN;
  const d = digits(b, i + 9, 2);
  if (d < 0 || b[i + 11] !== 0x20 || !parseClock(b, i + 12, end)) return NaN;
  scan.end = clock.end;
  return ctx.local(y, mo, d, clock.h, clock.m, clock.s, clock.us);
}

/** `MM/DD/YYYY HH:MM:SS` (portsentry history, US-style tools). */
export function scanUsDate(b: Uint8Array, i: number, end: number, ctx: ParseContext): number {
  if (i + 19 > end || b[i + 2] !== 0x2f || b[i + 5] !== 0x2f || b[i + 10] !== 0x20) return NaN;
  const mo = digits(b, i, 2);
  const d = digits(b, i + 3, 2);
  const y = digits(b, i + 6, 4);
  if (mo < 0 || d < 0 || y < 0 || !parseClock(b, i + 11, end)) return NaN;
  scan.end = clock.end;
  return ctx.local(y, mo, d, clock.h, clock.m, clock.s, clock.us);
}

/** Any of the leading timestamp shapes above, tried cheapest-first by the first byte. */
export function scanAnyTime(b: Uint8Array, i: number, end: number, ctx: ParseContext): number {
  if (i >= end) return NaN;
  const c = b[i]!;
  if (isDigit(c)) {
    let t = scanIso(b, i, end, ctx);
    if (!Number.isNaN(t)) return t;
    t = scanYearFirst(b, i, end, ctx);
    if (!Number.isNaN(t)) return t;
    return scanUsDate(b, i, end, ctx);
  }
  let t = scanBsd(b, i, end, ctx);
  if (!Number.isNaN(t)) return t;
  t = scanCtime(b, i, end, ctx);
  return t;
}
