import { createHash } from 'node:crypto';

/**
 * TLS ClientHello and ServerHello bodies (RFC 5246 / 8446), read for detection: the server name
 * (SNI) and the JA3 / JA3S fingerprints. Every length is checked against what encloses it, so
 * a hostile hello yields null, never an exception or a read past its end.
 */

export const EXT_SERVER_NAME = 0;
export const EXT_SUPPORTED_GROUPS = 10;
export const EXT_EC_POINT_FORMATS = 11;
export const EXT_SUPPORTED_VERSIONS = 43;

export interface ClientHello {
  /** The legacy version field (0x0303 for TLS 1.2 and 1.3 alike). */
  version: number;
  /** host_name of the server_name extension, as sent; null without one. */
  sni: Uint8Array | null;
  ciphers: number[];
  extensions: number[];
  groups: number[];
  pointFormats: number[];
  /** The 32 random bytes (their first 4 a time in older stacks). */
  random: Uint8Array;
}

export interface ServerHello {
  version: number;
  cipher: number;
  extensions: number[];
  /** From supported_versions (TLS 1.3), else the version field. */
  negotiated: number;
  random: Uint8Array;
}

/** GREASE values (RFC 8701), which JA3 leaves out: 0x0a0a, 0x1a1a, ..., 0xfafa. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/** Parses a ClientHello body (after the 4-byte handshake header). */
export function parseClientHello(b: Uint8Array): ClientHello | null {
  const r = new Reader(b);
  const version = r.u16();
  r.skip(32);
  r.skip(r.u8());
  const cipherBytes = r.u16();
  if (cipherBytes % 2 !== 0) return null;
  const ciphers: number[] = [];
  const cipherEnd = r.at + cipherBytes;
  if (cipherEnd > b.length) return null;
  while (r.at < cipherEnd) ciphers.push(r.u16());
  r.skip(r.u8());
  const hello: ClientHello = { version, sni: null, ciphers, extensions: [], groups: [], pointFormats: [], random: b.slice(2, 34) };
  if (!r.ok) return null;
  const ok = readExtensions(b, r, (type, e) => {
    hello.extensions.push(type);
    if (type === EXT_SERVER_NAME) hello.sni = serverName(e);
    else if (type === EXT_SUPPORTED_GROUPS) {
      const n = e.u16();
      for (let k = 0; k + 2 <= n && e.ok; k += 2) hello.groups.push(e.u16());
    } else if (type === EXT_EC_POINT_FORMATS) {
      const n = e.u8();
      for (let k = 0; k < n && e.ok; k++) hello.pointFormats.push(e.u8());
    }
    return e.ok;
  });
  return ok ? hello : null;
}

/**
 * The extension block at r (absent is fine: SSL 3.0 hellos end before it), each extension
 * handed to `visit` with a reader bounded to its data; false when a length does not fit or
 * `visit` says the data is malformed.
 */
function readExtensions(b: Uint8Array, r: Reader, visit: (type: number, data: Reader) => boolean): boolean {
  if (r.at === b.length) return true;
  const extEnd = r.at + 2 + r.u16();
  if (!r.ok || extEnd > b.length) return false;
  while (r.at + 4 <= extEnd) {
    const type = r.u16();
    const len = r.u16();
    const end = r.at + len;
    if (end > extEnd) return false;
    if (!visit(type, new Reader(b, r.at, end))) return false;
    r.at = end;
  }
  return true;
}

function serverName(e: Reader): Uint8Array | null {
  const listEnd = e.at + 2 + e.u16();
  while (e.ok && e.at + 3 <= listEnd) {
    const type = e.u8();
    const len = e.u16();
    const name = e.bytes(len);
    if (type === 0 && name !== null) return name.slice();
  }
  return null;
}

/** Parses a ServerHello body (after the 4-byte handshake header). */
export function parseServerHello(b: Uint8Array): ServerHello | null {
  const r = new Reader(b);
  const version = r.u16();
  r.skip(32);
  r.skip(r.u8());
  const cipher = r.u16();
  r.skip(1); // compression method
  if (!r.ok) return null;
  const hello: ServerHello = { version, cipher, extensions: [], negotiated: version, random: b.slice(2, 34) };
  const ok = readExtensions(b, r, (type, e) => {
    hello.extensions.push(type);
    if (type === EXT_SUPPORTED_VERSIONS && e.remaining === 2) hello.negotiated = e.u16();
    return true;
  });
  return ok ? hello : null;
}

/** JA3: version,ciphers,extensions,groups,point formats (decimal, '-' joined, GREASE left out). */
export function ja3String(h: ClientHello): string {
  const list = (xs: number[]): string => xs.filter((x) => !isGrease(x)).join('-');
  return `${h.version},${list(h.ciphers)},${list(h.extensions)},${list(h.groups)},${h.pointFormats.join('-')}`;
}

/** JA3S: version,cipher,extensions. */
export function ja3sString(h: ServerHello): string {
  return `${h.version},${h.cipher},${h.extensions.join('-')}`;
}

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'latin1').digest('hex');
}

const VERSION_NAMES: Readonly<Record<number, string>> = { 0x0300: 'SSLv3', 0x0301: 'TLS 1.0', 0x0302: 'TLS 1.1', 0x0303: 'TLS 1.2', 0x0304: 'TLS 1.3' };

/** Version as Suricata's EVE writes it ("TLS 1.2"), else hex. */
export function versionName(v: number): string {
  return VERSION_NAMES[v] ?? `0x${v.toString(16).padStart(4, '0')}`;
}

/** Bounds-checked big-endian reads; a read past the end clears `ok` and yields 0. */
class Reader {
  ok = true;
  constructor(
    private readonly b: Uint8Array,
    public at = 0,
    private readonly end = b.length,
  ) {}
  u8(): number {
    if (this.at + 1 > this.end) return this.fail();
    return this.b[this.at++]!;
  }
  u16(): number {
    if (this.at + 2 > this.end) return this.fail();
    const v = (this.b[this.at]! << 8) | this.b[this.at + 1]!;
    this.at += 2;
    return v;
  }
  get remaining(): number {
    return this.end - this.at;
  }
  skip(n: number): void {
    if (this.at + n > this.end) this.fail();
    else this.at += n;
  }
  bytes(n: number): Uint8Array | null {
    if (this.at + n > this.end) {
      this.fail();
      return null;
    }
    const v = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  private fail(): number {
    this.ok = false;
    this.at = this.end;
    return 0;
  }
}
