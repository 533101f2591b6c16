import { concatBytes, toBytes, type Bytes } from './bytes.js';

export interface TlsExtensionSpec {
  type: number;
  data?: Bytes;
}

export interface ClientHelloSpec {
  /** Server name for the server_name extension (none when absent). */
  sni?: Bytes;
  /** Legacy version field (default 0x0303). */
  version?: number;
  ciphers?: readonly number[];
  /** Supported groups (extension 10) and EC point formats (extension 11), when given. */
  groups?: readonly number[];
  pointFormats?: readonly number[];
  /** Further extensions, written after the ones above. */
  extensions?: readonly TlsExtensionSpec[];
}

export interface ServerHelloSpec {
  version?: number;
  cipher?: number;
  extensions?: readonly TlsExtensionSpec[];
}

const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const u24 = (v: number): number[] => [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];

function extension(type: number, data: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.from([...u16(type), ...u16(data.length)]), data]);
}

/** A handshake message: type, 24-bit length, body. */
export function tlsHandshake(type: number, body: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.from([type, ...u24(body.length)]), body]);
}

/** Records of one content type carrying `data`, cut into fragments of at most `fragment` bytes. */
export function tlsRecords(contentType: number, data: Uint8Array, fragment = 16384, version = 0x0301): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let o = 0; o < data.length || (o === 0 && data.length === 0); o += fragment) {
    const piece = data.subarray(o, Math.min(data.length, o + fragment));
    parts.push(Uint8Array.from([contentType, ...u16(version), ...u16(piece.length)]), piece);
    if (data.length === 0) break;
  }
  return concatBytes(parts);
}

/** A ClientHello handshake message (not yet in records). */
export function clientHello(spec: ClientHelloSpec = {}): Uint8Array {
  const ciphers = spec.ciphers ?? [0x1301, 0x1302, 0xc02b, 0xc02f];
  const exts: Uint8Array[] = [];
  if (spec.sni !== undefined) {
    const name = toBytes(spec.sni);
    const entry = Uint8Array.from([0, ...u16(name.length), ...name]);
    exts.push(extension(0, concatBytes([Uint8Array.from(u16(entry.length)), entry])));
  }
  if (spec.groups !== undefined) exts.push(extension(10, Uint8Array.from([...u16(spec.groups.length * 2), ...spec.groups.flatMap(u16)])));
  if (spec.pointFormats !== undefined) exts.push(extension(11, Uint8Array.from([spec.pointFormats.length, ...spec.pointFormats])));
  for (const e of spec.extensions ?? []) exts.push(extension(e.type, toBytes(e.data ?? '')));
  const extBytes = concatBytes(exts);
  const body = concatBytes([
    Uint8Array.from(u16(spec.version ?? 0x0303)),
    new Uint8Array(32).fill(7),
    Uint8Array.from([0, ...u16(ciphers.length * 2), ...ciphers.flatMap(u16), 1, 0]),
    Uint8Array.from(u16(extBytes.length)),
    extBytes,
  ]);
  return tlsHandshake(1, body);
}

/** A ServerHello handshake message. */
export function serverHello(spec: ServerHelloSpec = {}): Uint8Array {
  const exts = concatBytes((spec.extensions ?? []).map((e) => extension(e.type, toBytes(e.data ?? ''))));
  const body = concatBytes([
    Uint8Array.from(u16(spec.version ?? 0x0303)),
    new Uint8Array(32).fill(9),
    Uint8Array.from([0, ...u16(spec.cipher ?? 0xc02f), 0]),
    Uint8Array.from(u16(exts.length)),
    exts,
  ]);
  return tlsHandshake(2, body);
}
