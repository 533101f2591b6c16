import ipaddr from 'ipaddr.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { VariableTable } from './variables.js';
import { cachedSpec, type SetAlgebra } from './set-expr.js';
import { normalize, subtract, union, unionAll, type Ranges } from './ranges.js';

const V4_MAX = 0xffffffff;
const V6_MAX = (1n << 128n) - 1n;

/** Address ranges of both families while a set is being built. */
interface IpRanges {
  v4: Ranges<number>;
  v6: Ranges<bigint>;
}

/**
 * A set of IPv4 and IPv6 addresses, as a header address spec denotes it.
 * Lookups binary-search packed ranges: IPv4 as uint32 pairs, IPv6 as pairs of 4 x uint32.
 */
export class IpSet {
  readonly isAny: boolean;
  /** [start0, end0, start1, end1, ...] */
  private readonly v4: Uint32Array;
  /** 8 words per range: start (4 words, most significant first), then end. */
  private readonly v6: Uint32Array;

  constructor(ranges: IpRanges) {
    this.v4 = Uint32Array.from(ranges.v4);
    this.v6 = new Uint32Array((ranges.v6.length / 2) * 8);
    for (let i = 0; i < ranges.v6.length; i++) {
      const x = ranges.v6[i]!;
      for (let w = 0; w < 4; w++) this.v6[i * 4 + w] = Number((x >> BigInt(96 - 32 * w)) & 0xffffffffn);
    }
    this.isAny =
      ranges.v4.length === 2 && ranges.v4[0] === 0 && ranges.v4[1] === V4_MAX &&
      ranges.v6.length === 2 && ranges.v6[0] === 0n && ranges.v6[1] === V6_MAX;
  }

  static any(): IpSet {
    return new IpSet({ v4: [0, V4_MAX], v6: [0n, V6_MAX] });
  }

  get isEmpty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  /** addr is 4 bytes (IPv4) or 16 bytes (IPv6), network order. */
  contains(addr: Uint8Array): boolean {
    if (this.isAny) return true;
    if (addr.length === 4) {
      const x = ((addr[0]! << 24) | (addr[1]! << 16) | (addr[2]! << 8) | addr[3]!) >>> 0;
      const r = this.v4;
      let lo = 0;
      let hi = (r.length >> 1) - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (x < r[mid * 2]!) hi = mid - 1;
        else if (x > r[mid * 2 + 1]!) lo = mid + 1;
        else return true;
      }
      return false;
    }
    if (addr.length === 16) {
      const r = this.v6;
      let lo = 0;
      let hi = (r.length >> 3) - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (compare6(addr, r, mid * 8) < 0) hi = mid - 1;
        else if (compare6(addr, r, mid * 8 + 4) > 0) lo = mid + 1;
        else return true;
      }
      return false;
    }
    return false;
  }

  /** The set as ranges in text, for debugging and policy reports. */
  toString(): string {
    if (this.isAny) return 'any';
    const parts: string[] = [];
    for (let i = 0; i < this.v4.length; i += 2) {
      const s = v4Text(this.v4[i]!);
      const e = v4Text(this.v4[i + 1]!);
      parts.push(s === e ? s : `${s}-${e}`);
    }
    for (let i = 0; i < this.v6.length; i += 8) {
      const s = v6Text(this.v6, i);
      const e = v6Text(this.v6, i + 4);
      parts.push(s === e ? s : `${s}-${e}`);
    }
    return `[${parts.join(',')}]`;
  }
}

/** Compares a 16-byte address with the 4-word value at r[at..at+3]. */
function compare6(addr: Uint8Array, r: Uint32Array, at: number): number {
  for (let w = 0; w < 4; w++) {
    const o = w * 4;
    const x = ((addr[o]! << 24) | (addr[o + 1]! << 16) | (addr[o + 2]! << 8) | addr[o + 3]!) >>> 0;
    const y = r[at + w]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function v4Text(x: number): string {
  return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
}

function v6Text(r: Uint32Array, at: number): string {
  const parts: number[] = [];
  for (let w = 0; w < 4; w++) parts.push(r[at + w]! >>> 16, r[at + w]! & 0xffff);
  return new ipaddr.IPv6(parts).toRFC5952String();
}

const USAGE = 'write an IPv4 address (192.0.2.1), an IPv6 address (2001:db8::1), a CIDR block (10.0.0.0/8), any, or a $VARIABLE';

function toV4(ip: ipaddr.IPv4): number {
  const o = ip.octets;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

function toV6(ip: ipaddr.IPv6): bigint {
  let x = 0n;
  for (const p of ip.parts) x = (x << 16n) | BigInt(p);
  return x;
}

function parseSingle(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (text.includes(':')) {
    if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return undefined;
    return ipaddr.IPv6.parse(text);
  }
  // Only dotted quads: ipaddr.js would also take "10" or "0x0a.1" as IPv4, which no rule writer means.
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text) || !ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  return ipaddr.IPv4.parse(text);
}

function atom(text: string, sink: DiagnosticSink): IpRanges | undefined {
  if (text === 'any') return { v4: [0, V4_MAX], v6: [0n, V6_MAX] };
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const addrText = text.slice(0, slash);
    const maskText = text.slice(slash + 1);
    const ip = parseSingle(addrText);
    if (!ip) {
      sink.error(`bad CIDR '${text}': '${addrText}' is not an IP address; ${USAGE}`);
      return undefined;
    }
    const max = ip.kind() === 'ipv4' ? 32 : 128;
    let bits: number | null = null;
    if (/^\d{1,3}$/.test(maskText)) bits = Number(maskText);
    else if (ip.kind() === 'ipv4') {
      // Snort and Suricata also accept a dotted netmask (10.0.0.0/255.0.0.0).
      const mask = parseSingle(maskText);
      if (mask && mask.kind() === 'ipv4') bits = mask.prefixLengthFromSubnetMask();
    }
    if (bits === null || bits > max) {
      sink.error(`bad CIDR '${text}': the prefix length of an ${ip.kind() === 'ipv4' ? 'IPv4' : 'IPv6'} block is 0 to ${max}, as in ${ip.kind() === 'ipv4' ? '10.0.0.0/8' : '2001:db8::/32'}`, slash + 1, Math.max(1, maskText.length));
      return undefined;
    }
    if (ip.kind() === 'ipv4') {
      const hostBits = 32 - bits;
      const size = 2 ** hostBits;
      const start = Math.floor(toV4(ip as ipaddr.IPv4) / size) * size;
      return { v4: [start, start + size - 1], v6: [] };
    }
    const hostBits = BigInt(128 - bits);
    const base = (toV6(ip as ipaddr.IPv6) >> hostBits) << hostBits;
    return { v4: [], v6: [base, base + (1n << hostBits) - 1n] };
  }
  const dash = text.indexOf('-');
  if (dash > 0) {
    // Suricata's address range form: 192.0.2.1-192.0.2.9
    const a = parseSingle(text.slice(0, dash));
    const b = parseSingle(text.slice(dash + 1));
    if (a && b && a.kind() === b.kind()) {
      if (a.kind() === 'ipv4') {
        const s = toV4(a as ipaddr.IPv4);
        const e = toV4(b as ipaddr.IPv4);
        if (s <= e) return { v4: [s, e], v6: [] };
      } else {
        const s = toV6(a as ipaddr.IPv6);
        const e = toV6(b as ipaddr.IPv6);
        if (s <= e) return { v4: [], v6: [s, e] };
      }
      sink.error(`address range '${text}' is reversed: write the lower address first`);
      return undefined;
    }
  }
  const ip = parseSingle(text);
  if (!ip) {
    sink.error(`'${text}' is not an IP address: ${USAGE}`);
    return undefined;
  }
  if (ip.kind() === 'ipv4') {
    const x = toV4(ip as ipaddr.IPv4);
    return { v4: [x, x], v6: [] };
  }
  const x = toV6(ip as ipaddr.IPv6);
  return { v4: [], v6: [x, x] };
}

const ipAlgebra: SetAlgebra<IpRanges> = {
  what: 'address',
  universe: () => ({ v4: [0, V4_MAX], v6: [0n, V6_MAX] }),
  empty: () => ({ v4: [], v6: [] }),
  union: (a, b) => ({ v4: union(a.v4, b.v4, 1), v6: union(a.v6, b.v6, 1n) }),
  unionAll: (sets) => ({ v4: unionAll(sets.map((s) => s.v4), 1), v6: unionAll(sets.map((s) => s.v6), 1n) }),
  subtract: (a, b) => ({ v4: subtract(normalize(a.v4, 1), normalize(b.v4, 1), 1), v6: subtract(normalize(a.v6, 1n), normalize(b.v6, 1n), 1n) }),
  isEmpty: (s) => s.v4.length === 0 && s.v6.length === 0,
  atom,
};

/**
 * Parses a header address spec (`any`, `192.0.2.1`, `10.0.0.0/8`, `2001:db8::/32`, `$HOME_NET`,
 * `[a,![b,c]]`, `!x`). Problems go to `sink` with offsets relative to `text`; undefined on error.
 */
export function parseAddressText(text: string, vars: VariableTable, sink: DiagnosticSink): IpSet | undefined {
  return cachedSpec(text, vars, sink, ipAlgebra, toIpSet);
}

/** One function for every call (rules parse four specs each). */
const toIpSet = (r: IpRanges): IpSet => new IpSet(r);
