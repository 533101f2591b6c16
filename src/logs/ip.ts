import ipaddr from 'ipaddr.js';
import type { IpBytes } from '../types/packet.js';
import { RepeatGate } from '../types/repeat-gate.js';
import { latin1 } from './bytes.js';

/**
 * IPv4 straight from the bytes (the hot path of every web and firewall log);
 * returns undefined unless b[start, end) is exactly a dotted quad.
 */
export function parseIpv4(b: Uint8Array, start: number, end: number): IpBytes | undefined {
  const n = ipv4Number(b, start, end);
  return n < 0 ? undefined : ipv4Bytes(n);
}

function ipv4Bytes(n: number): IpBytes {
  const out = new Uint8Array(4);
  out[0] = n >>> 24;
  out[1] = (n >>> 16) & 255;
  out[2] = (n >>> 8) & 255;
  out[3] = n & 255;
  return out;
}

/** The address of b[start, end) as a uint32 when that is exactly a dotted quad, else -1. */
function ipv4Number(b: Uint8Array, start: number, end: number): number {
  if (end - start < 7 || end - start > 15) return -1;
  let part = 0;
  let v = 0;
  let nd = 0;
  let acc = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c === 0x2e) {
      if (nd === 0 || part === 3) return -1;
      acc = acc * 256 + v;
      part++;
      v = 0;
      nd = 0;
      continue;
    }
    const d = c - 0x30;
    if (d < 0 || d > 9 || nd === 3) return -1;
    v = v * 10 + d;
    nd++;
    if (v > 255) return -1;
  }
  if (part !== 3 || nd === 0) return -1;
  return acc * 256 + v;
}

function looksLikeIpv6(b: Uint8Array, start: number, end: number): boolean {
  if (end - start < 2 || end - start > 60) return false;
  let colons = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c === 0x3a) colons++;
    else if (!((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) || c === 0x2e || c === 0x25))
      return false;
  }
  return colons >= 2;
}

/** IPv4 or IPv6 text (a `%zone` suffix is dropped) to 4 or 16 bytes; undefined when it is not an address. */
export function parseIp(b: Uint8Array, start = 0, end = b.length): IpBytes | undefined {
  return parseIpv4(b, start, end) ?? parseIpv6(b, start, end);
}

function parseIpv6(b: Uint8Array, start: number, end: number): IpBytes | undefined {
  if (!looksLikeIpv6(b, start, end)) return undefined;
  let text = latin1(b, start, end);
  const pct = text.indexOf('%');
  if (pct >= 0) text = text.slice(0, pct);
  try {
    if (!ipaddr.IPv6.isValid(text)) return undefined;
    return Uint8Array.from(ipaddr.IPv6.parse(text).toByteArray());
  } catch {
    return undefined;
  }
}

/** Slots of the table of recent IPv4 addresses (a power of two; 4096 x 4 bytes plus the arrays). */
const RECENT_V4_SLOTS = 4096;
const recentV4Keys = new Float64Array(RECENT_V4_SLOTS).fill(-1);
const recentV4: (IpBytes | undefined)[] = new Array<IpBytes | undefined>(RECENT_V4_SLOTS).fill(undefined);

/**
 * Whether the table is worth it: storing each new array in it (an old object pointing at a young
 * one) costs more than the array itself when addresses do not repeat (a flood from random
 * sources, 180 against 130 ns a line), so the table rests after a window with few hits.
 */
const recentV4Gate = new RepeatGate(RECENT_V4_SLOTS, RECENT_V4_SLOTS * 16);

/**
 * IPv4 text to bytes, sharing the array of an address met recently (a direct-mapped table by
 * address): a web log's clients come back request after request, and a fresh 4-byte array per
 * line is a few hundred bytes of garbage once its buffer is counted.
 */
function recentIpv4(b: Uint8Array, start: number, end: number): IpBytes | undefined {
  const n = ipv4Number(b, start, end);
  if (n < 0) return undefined;
  if (!recentV4Gate.active()) return ipv4Bytes(n);
  const slot = (Math.imul(n | 0, 0x9e3779b1) >>> 20) & (RECENT_V4_SLOTS - 1);
  const hit = recentV4Keys[slot] === n;
  if (recentV4Gate.count(hit)) {
    // A poor window: let the arrays go while the table rests.
    recentV4Keys.fill(-1);
    recentV4.fill(undefined);
    return ipv4Bytes(n);
  }
  if (hit) return recentV4[slot];
  const ip = ipv4Bytes(n);
  recentV4Keys[slot] = n;
  recentV4[slot] = ip;
  return ip;
}

/** Longest address text a LastAddress remembers (a full IPv6 text with a zone is longer, and simply parsed). */
const REMEMBERED_TEXT = 48;

/**
 * The last address text a log column held and its bytes: a server address column repeats on
 * every line, a client's on every request of a page. A line that repeats it gets the same bytes
 * back (IpBytes are read-only everywhere) instead of a parse and a new array.
 */
export class LastAddress {
  private readonly text = new Uint8Array(REMEMBERED_TEXT);
  private length = -1;
  private ip: IpBytes | undefined = undefined;

  /** parseIp(b, start, end), from memory when the text is the one last given. */
  parse(b: Uint8Array, start: number, end: number): IpBytes | undefined {
    const n = end - start;
    if (n === this.length) {
      const t = this.text;
      let k = 0;
      while (k < n && b[start + k] === t[k]) k++;
      if (k === n) return this.ip;
    }
    const ip = recentIpv4(b, start, end) ?? parseIpv6(b, start, end);
    if (n <= REMEMBERED_TEXT) {
      for (let k = 0; k < n; k++) this.text[k] = b[start + k]!;
      this.length = n;
      this.ip = ip;
    } else this.length = -1;
    return ip;
  }
}

export function parseIpText(s: string): IpBytes | undefined {
  return parseIp(Buffer.from(s, 'latin1'));
}

/** Canonical text: dotted quad, or RFC 5952 compressed lower-case IPv6 (as Suricata prints). */
export function ipToText(ip: IpBytes): string {
  if (ip.length === 4) return `${ip[0]}.${ip[1]}.${ip[2]}.${ip[3]}`;
  // IPv4-mapped addresses keep the dotted tail (RFC 5952 section 5), as dovecot and others log them.
  let mapped = ip[10] === 0xff && ip[11] === 0xff;
  for (let i = 0; mapped && i < 10; i++) if (ip[i] !== 0) mapped = false;
  if (mapped) return `::ffff:${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`;
  return ipaddr.fromByteArray(Array.from(ip)).toString();
}

/**
 * `addr:port`, `[v6]:port`, `v6` (no port) or `v4` as Apache, sendmail and friends write a peer.
 * `bareV6HasPort` says whether a bare IPv6 text ends in `:port` (Apache 2.4 writes `::1:50058`, 2.2 writes no port).
 */
export function parseEndpoint(
  b: Uint8Array,
  start: number,
  end: number,
  bareV6HasPort: boolean,
): { ip: IpBytes; port: number } | undefined {
  if (start >= end) return undefined;
  if (b[start] === 0x5b) {
    const close = b.indexOf(0x5d, start);
    if (close < 0 || close >= end) return undefined;
    const ip = parseIp(b, start + 1, close);
    if (!ip) return undefined;
    let port = -1;
    if (close + 1 < end && b[close + 1] === 0x3a) port = parsePort(b, close + 2, end);
    return { ip, port };
  }
  const whole = parseIp(b, start, end);
  let lastColon = -1;
  let colons = 0;
  for (let i = start; i < end; i++) {
    if (b[i] === 0x3a) {
      colons++;
      lastColon = i;
    }
  }
  if (colons === 1) {
    const ip = parseIpv4(b, start, lastColon);
    const port = parsePort(b, lastColon + 1, end);
    if (ip && port >= 0) return { ip, port };
    return undefined;
  }
  if (colons >= 2 && bareV6HasPort && lastColon > start) {
    const port = parsePort(b, lastColon + 1, end);
    const ip = port >= 0 ? parseIp(b, start, lastColon) : undefined;
    if (ip) return { ip, port };
  }
  return whole ? { ip: whole, port: -1 } : undefined;
}

/** A decimal port 0..65535, or -1. */
export function parsePort(b: Uint8Array, start: number, end: number): number {
  if (end <= start || end - start > 5) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v <= 65535 ? v : -1;
}


/**
 * Whether an address is one a site's own proxies and clients use (RFC 1918, CGNAT 100.64/10,
 * loopback, link-local; IPv6 ULA fc00::/7, link-local fe80::/10, ::1; IPv4-mapped ones by their
 * IPv4 address): the hops of an X-Forwarded-For list that a site trusts to have appended theirs.
 */
export function isInternalAddress(ip: IpBytes): boolean {
  if (ip.length === 16) {
    let mapped = true;
    for (let k = 0; k < 10; k++) if (ip[k] !== 0) mapped = false;
    if (mapped && ip[10] === 0xff && ip[11] === 0xff) return isInternalV4(ip[12]!, ip[13]!);
    if ((ip[0]! & 0xfe) === 0xfc || (ip[0] === 0xfe && (ip[1]! & 0xc0) === 0x80)) return true;
    for (let k = 0; k < 15; k++) if (ip[k] !== 0) return false;
    return ip[15] === 1;
  }
  return isInternalV4(ip[0]!, ip[1]!);
}

function isInternalV4(a: number, b: number): boolean {
  return a === 10 || a === 127 || (a === 172 && (b & 0xf0) === 16) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && (b & 0xc0) === 64);
}
