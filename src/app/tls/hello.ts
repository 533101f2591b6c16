import { createHash } from 'node:crypto';

/**
 * TLS ClientHello and ServerHello bodies (RFC 5246 / 8446), read for detection: the server name
 * (SNI) and the JA3 / JA3S fingerprints. Every length is checked against what encloses it, so
 * a hostile hello yields null, never an exception or a read past its end. A malformed extension
 * ends the reading of the extensions, not the hello: what came before it stays (an SNI read
 * before a broken ALPN still names the server), as Suricata 7 keeps what it decoded
 * (TLSDecodeHSHelloExtensions stops there, the hello is kept); `truncated` says so.
 */

export const EXT_SERVER_NAME = 0;
export const EXT_SUPPORTED_GROUPS = 10;
export const EXT_EC_POINT_FORMATS = 11;
export const EXT_SUPPORTED_VERSIONS = 43;
export const EXT_SIGNATURE_ALGORITHMS = 13;
export const EXT_ALPN = 16;

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
  /** supported_versions (TLS 1.3 clients), in order. */
  supportedVersions: number[];
  /** signature_algorithms, in order. */
  signatureAlgorithms: number[];
  /** The protocol names of the ALPN extension, in order. */
  alpn: Uint8Array[];
  /** An extension was malformed: the extensions after it were not read. */
  truncated: boolean;
}

export interface ServerHello {
  version: number;
  cipher: number;
  extensions: number[];
  /** From supported_versions (TLS 1.3), else the version field. */
  negotiated: number;
  random: Uint8Array;
  /** An extension was malformed: the extensions after it were not read. */
  truncated: boolean;
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
  const hello: ClientHello = {
    version,
    sni: null,
    ciphers,
    extensions: [],
    groups: [],
    pointFormats: [],
    random: b.slice(2, 34),
    supportedVersions: [],
    signatureAlgorithms: [],
    alpn: [],
    truncated: false,
  };
  if (!r.ok) return null;
  const ok = readExtensions(b, r, (type, e) => {
    // A second server_name extension is ignored, as Suricata ignores it: the first name counts.
    if (type === EXT_SERVER_NAME && hello.sni === null) hello.sni = serverName(e);
    else if (type === EXT_SUPPORTED_GROUPS) {
      // A list longer than its extension is malformed as a whole: none of it is taken.
      const n = e.u16();
      if (n > e.remaining) return false;
      for (let k = 0; k + 2 <= n && e.ok; k += 2) hello.groups.push(e.u16());
    } else if (type === EXT_EC_POINT_FORMATS) {
      const n = e.u8();
      if (n > e.remaining) return false;
      for (let k = 0; k < n && e.ok; k++) hello.pointFormats.push(e.u8());
    } else if (type === EXT_SUPPORTED_VERSIONS) {
      const n = e.u8();
      if (n > e.remaining) return false;
      for (let k = 0; k + 2 <= n && e.ok; k += 2) hello.supportedVersions.push(e.u16());
    } else if (type === EXT_SIGNATURE_ALGORITHMS) {
      const n = e.u16();
      if (n > e.remaining) return false;
      for (let k = 0; k + 2 <= n && e.ok; k += 2) hello.signatureAlgorithms.push(e.u16());
    } else if (type === EXT_ALPN) {
      const listEnd = e.at + 2 + e.u16();
      while (e.ok && e.at < listEnd) {
        const name = e.bytes(e.u8());
        if (name !== null) hello.alpn.push(name.slice());
      }
    }
    // Counted in the fingerprints once read whole, as Suricata adds a type to JA3 after decoding it.
    if (e.ok) hello.extensions.push(type);
    return e.ok;
  });
  hello.truncated = !ok;
  return hello;
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
    // A host name of more than 255 bytes is invalid (Suricata's INVALID_SNI_LENGTH): no SNI.
    if (type === 0 && name !== null) return name.length <= 255 ? name.slice() : null;
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
  const hello: ServerHello = { version, cipher, extensions: [], negotiated: version, random: b.slice(2, 34), truncated: false };
  const ok = readExtensions(b, r, (type, e) => {
    hello.extensions.push(type);
    if (type === EXT_SUPPORTED_VERSIONS && e.remaining === 2) hello.negotiated = e.u16();
    return true;
  });
  hello.truncated = !ok;
  return hello;
}

/** JA3: version,ciphers,extensions,groups,point formats (decimal, '-' joined, GREASE left out). */
export function ja3String(h: ClientHello): string {
  const list = (xs: number[]): string => xs.filter((x) => !isGrease(x)).join('-');
  return `${h.version},${list(h.ciphers)},${list(h.extensions)},${list(h.groups)},${h.pointFormats.join('-')}`;
}

const JA4_VERSIONS: Readonly<Record<number, string>> = {
  0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3', 0x0002: 's2', 0xfeff: 'd1', 0xfefd: 'd2', 0xfefc: 'd3',
};

const hex4 = (v: number): string => v.toString(16).padStart(4, '0');
const sha12 = (text: string): string => createHash('sha256').update(text, 'latin1').digest('hex').slice(0, 12);
const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/**
 * JA4 (FoxIO) of a ClientHello over TCP, as Suricata computes it: `t`, the version (the highest
 * supported_versions entry, else the hello's), `d` with an SNI extension else `i`, the cipher and
 * extension counts (two digits, at most 99), the first and last characters of the first ALPN
 * name (`00` without one; their hex digits when not alphanumeric); then the first 12 hex digits
 * of SHA-256 over the sorted ciphers, and over the sorted extensions (SNI and ALPN left out)
 * followed by `_` and the signature algorithms in their order. GREASE values never count.
 */
export function ja4String(h: ClientHello): string {
  const ciphers = h.ciphers.filter((c) => !isGrease(c));
  const extensions = h.extensions.filter((x) => !isGrease(x));
  const versions = h.supportedVersions.filter((v) => !isGrease(v));
  const version = versions.length > 0 ? Math.max(...versions) : h.version;
  const count = (n: number): string => String(Math.min(n, 99)).padStart(2, '0');
  let alpn = '00';
  const first = h.alpn[0];
  if (first !== undefined && first.length > 0 && !(first.length === 2 && isGrease((first[0]! << 8) | first[1]!))) {
    const a = first[0]!;
    const z = first[first.length - 1]!;
    alpn = isAlnum(a) && isAlnum(z) ? String.fromCharCode(a, z) : (a >> 4).toString(16) + (z & 0x0f).toString(16);
  }
  const head = `t${JA4_VERSIONS[version] ?? '00'}${extensions.includes(EXT_SERVER_NAME) ? 'd' : 'i'}${count(ciphers.length)}${count(extensions.length)}${alpn}`;
  const cipherPart = ciphers.length === 0 ? '000000000000' : sha12(ciphers.map(hex4).sort().join(','));
  const hashed = extensions.filter((x) => x !== EXT_SERVER_NAME && x !== EXT_ALPN).map(hex4).sort();
  const algorithms = h.signatureAlgorithms.filter((v) => !isGrease(v)).map(hex4);
  const extensionPart = hashed.length === 0 ? '000000000000' : sha12(hashed.join(',') + (algorithms.length > 0 ? '_' + algorithms.join(',') : ''));
  return `${head}_${cipherPart}_${extensionPart}`;
}

/** JA3S: version,cipher,extensions. */
export function ja3sString(h: ServerHello): string {
  return `${h.version},${h.cipher},${h.extensions.join('-')}`;
}

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'latin1').digest('hex');
}

const VERSION_NAMES: Readonly<Record<number, string>> = { 0x0300: 'SSLv3', 0x0200: 'SSLv2', 0x0301: 'TLSv1', 0x0302: 'TLS 1.1', 0x0303: 'TLS 1.2', 0x0304: 'TLS 1.3' };

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
