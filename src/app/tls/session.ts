import type { BufferName } from '../../types/buffers.js';
import { ByteAccumulator, type MemoryBudget } from '../accumulator.js';
import type { TlsHelloView } from '../../types/app.js';
import { isGrease, ja3sString, ja3String, ja4String, md5Hex, parseClientHello, parseServerHello, versionName, type ClientHello, type ServerHello } from './hello.js';
import { certificateList, parseCertificate, type CertificateFields } from './x509.js';

/**
 * One TLS connection's handshake, both directions: records are cut from the reassembled
 * stream, handshake messages are rebuilt across records, and the ClientHello and ServerHello
 * are handed to detection: the ClientHello at once, the server's side (ServerHello and, up to
 * TLS 1.2, its certificate chain) once its flight is complete (Certificate, ServerHelloDone,
 * or the start of encrypted records). Once a direction sends ChangeCipherSpec or application data its
 * bytes are encrypted: they are counted, not parsed. A gap, a record that is not TLS, or a
 * handshake message over the bound ends parsing of that direction (counted as an anomaly).
 */

const RECORD_HEADER = 5;
/** SSLv2 record header (two-byte form: the top bit set, 15 bits of length). */
const SSL2_HEADER = 2;
/** Message type, then (hellos) the version: what is read of an SSLv2 message. */
const SSL2_HEAD = 5;
/** Not a TLS content type: marks a direction's current record as SSLv2. */
const SSL2_RECORD = -2;
const SSL2_CLIENT_HELLO = 1;
const SSL2_CLIENT_MASTER_KEY = 2;
const SSL2_SERVER_HELLO = 4;
export const HS_CLIENT_KEY_EXCHANGE = 16;
const CT_CHANGE_CIPHER_SPEC = 20;
const CT_ALERT = 21;
const CT_HANDSHAKE = 22;
const CT_APPLICATION_DATA = 23;
export const HS_CLIENT_HELLO = 1;
export const HS_SERVER_HELLO = 2;
const HS_CERTIFICATE = 11;
export const HS_SERVER_KEY_EXCHANGE = 12;
const HS_SERVER_HELLO_DONE = 14;
/** Largest record fragment TLS allows (2^14 plus expansion). */
const MAX_RECORD = (1 << 14) + 2048;
/** Handshake messages are rebuilt up to this size (certificate chains are the big ones). */
export const MAX_HANDSHAKE_MESSAGE = 256 * 1024;

export interface TlsStats {
  flows: number;
  clientHellos: number;
  serverHellos: number;
  /** Certificates read from Certificate messages (TLS 1.3 sends them encrypted). */
  certificates: number;
  /** Bytes after ChangeCipherSpec or in application-data records, not parsed. */
  encryptedBytes: number;
  /** Directions whose parsing stopped: not TLS records, oversized messages, gaps. */
  parseErrors: number;
  /** Hellos with a malformed extension, kept with what came before it (see hello.ts). */
  malformedHellos: number;
}

export function newTlsStats(): TlsStats {
  return { flows: 0, clientHellos: 0, serverHellos: 0, certificates: 0, encryptedBytes: 0, parseErrors: 0, malformedHellos: 0 };
}

export interface TlsContext {
  stats: TlsStats;
  /** Shared with the other parsers: handshake messages being rebuilt draw on it. */
  budget: MemoryBudget;
  emit(hello: TlsHello): void;
  /** A hello's version, as soon as it is parsed: the client's legacy version, the server's negotiated one. */
  version?(client: boolean, version: number): void;
  /**
   * A handshake message begins (its type read, before its body is complete): the TLS handshake
   * type, SSLv2 messages given as their TLS counterparts (CLIENT-HELLO 1, SERVER-HELLO 2,
   * CLIENT-MASTER-KEY 16).
   */
  handshake?(client: boolean, type: number): void;
  /** A protocol version seen on the wire: a record header's, a hello's (0x0002 for SSL 2.0). */
  versionSeen?(version: number): void;
  /** A direction's bytes turned out not to be SSL/TLS records (Snort's "unknown" state). */
  undecodable?(client: boolean): void;
}

/** What one direction has parsed so far. */
class Direction {
  /** Record header bytes gathered (a header may be split across chunks). */
  readonly header = new Uint8Array(RECORD_HEADER);
  headerHave = 0;
  /** Bytes left of the current record's fragment, and its content type. */
  remaining = 0;
  type = 0;
  /** Handshake bytes of the message being rebuilt (grown as they arrive, within the budget). */
  message: ByteAccumulator | null = null;
  /** Its declared length. */
  messageLength = 0;
  /** Handshake-type and length bytes when a message header itself spans records. */
  readonly hsHeader = new Uint8Array(4);
  hsHeaderHave = 0;
  encrypted = false;
  stopped = false;
  /** SSLv3/TLS records seen: a record with the top bit set is no longer read as SSLv2. */
  v3 = false;
  /** SSLv2: the rest of this direction is encrypted (after SERVER-HELLO, or CLIENT-MASTER-KEY). */
  v2Done = false;
  /** The first bytes of the current SSLv2 record's message, gathered up to v2Want. */
  readonly v2Head = new Uint8Array(SSL2_HEAD);
  v2Have = 0;
  v2Want = 0;
}

/** Copies into `header` (of which `have` bytes are filled) what `src` from `at` can give: the byte count taken. */
function gather(header: Uint8Array, have: number, src: Uint8Array, at: number, want = header.length): number {
  const take = Math.min(want - have, src.length - at);
  header.set(src.subarray(at, at + take), have);
  return take;
}

export class TlsSession {
  private readonly dirs: [Direction, Direction] = [new Direction(), new Direction()];
  private client: ClientHello | null = null;
  private server: ServerHello | null = null;
  /** The server's side was handed over (at most once per connection). */
  private serverDone = false;
  private txCount = 0;

  constructor(private readonly ctx: TlsContext) {
    ctx.stats.flows++;
  }

  data(toServer: boolean, chunk: Uint8Array): void {
    const d = this.dirs[toServer ? 0 : 1]!;
    if (d.stopped) return;
    let i = 0;
    while (i < chunk.length) {
      if (d.remaining === 0) {
        // Gather the record header: 2 bytes for an SSLv2 record (top bit set), else 5.
        const first = d.headerHave > 0 ? d.header[0]! : chunk[i]!;
        const v2 = (first & 0x80) !== 0 && !d.v3;
        const want = v2 ? SSL2_HEADER : RECORD_HEADER;
        const take = gather(d.header, d.headerHave, chunk, i, want);
        d.headerHave += take;
        i += take;
        if (d.headerHave < want) return;
        d.headerHave = 0;
        const h = d.header;
        if (v2) {
          d.type = SSL2_RECORD;
          d.remaining = ((h[0]! & 0x7f) << 8) | h[1]!;
          if (d.remaining === 0) return this.stop(d, toServer);
          d.v2Have = 0;
          d.v2Want = Math.min(SSL2_HEAD, d.remaining);
          continue;
        }
        const type = h[0]!;
        const len = (h[3]! << 8) | h[4]!;
        if (type < CT_CHANGE_CIPHER_SPEC || type > CT_APPLICATION_DATA || h[1] !== 3 || len > MAX_RECORD) return this.stop(d, toServer);
        d.v3 = true;
        this.ctx.versionSeen?.((h[1]! << 8) | h[2]!);
        d.type = type;
        d.remaining = len;
        if (type === CT_CHANGE_CIPHER_SPEC || type === CT_APPLICATION_DATA) {
          d.encrypted = true;
          if (!toServer) this.emitServer(null);
        }
        if (len === 0) continue;
      }
      const take = Math.min(d.remaining, chunk.length - i);
      const part = chunk.subarray(i, i + take);
      d.remaining -= take;
      i += take;
      if (d.type === SSL2_RECORD) {
        // The first bytes of an SSLv2 record name its message (and a hello's version).
        if (!d.v2Done && d.v2Have < d.v2Want) {
          const got = gather(d.v2Head, d.v2Have, part, 0, d.v2Want);
          d.v2Have += got;
          if (d.v2Have === d.v2Want) this.ssl2Message(d, toServer);
        } else this.ctx.stats.encryptedBytes += take;
      } else if (d.type === CT_HANDSHAKE && !d.encrypted) {
        if (!this.handshakeBytes(d, toServer, part)) return this.stop(d, toServer);
      } else if (d.type !== CT_ALERT) this.ctx.stats.encryptedBytes += take;
    }
  }

  /** Bytes are missing in a direction: its record boundaries are lost. */
  gap(toServer: boolean): void {
    const d = this.dirs[toServer ? 0 : 1]!;
    if (!toServer) this.emitServer(null);
    if (!d.stopped && !d.encrypted) this.stop(d);
    d.stopped = true;
  }

  end(): void {
    this.emitServer(null);
    for (const d of this.dirs) {
      d.stopped = true;
      this.dropMessage(d);
    }
  }

  private stop(d: Direction, toServer?: boolean): void {
    if (!d.stopped) {
      this.ctx.stats.parseErrors++;
      if (toServer !== undefined) this.ctx.undecodable?.(toServer);
    }
    d.stopped = true;
    this.dropMessage(d);
  }

  /**
   * An SSLv2 message's first bytes: CLIENT-HELLO (type, version), CLIENT-MASTER-KEY, or
   * SERVER-HELLO (type, session-id-hit, certificate type, version). What follows a client's
   * master key or a server's hello is encrypted; another message first ends the direction.
   */
  private ssl2Message(d: Direction, toServer: boolean): void {
    const h = d.v2Head;
    const type = h[0]!;
    if (toServer && type === SSL2_CLIENT_HELLO && d.v2Have >= 3) {
      this.ctx.versionSeen?.((h[1]! << 8) | h[2]!);
      this.ctx.handshake?.(true, HS_CLIENT_HELLO);
    } else if (toServer && type === SSL2_CLIENT_MASTER_KEY) {
      d.v2Done = true;
      this.ctx.handshake?.(true, HS_CLIENT_KEY_EXCHANGE);
    } else if (!toServer && type === SSL2_SERVER_HELLO && d.v2Have >= 5) {
      d.v2Done = true;
      this.ctx.versionSeen?.((h[3]! << 8) | h[4]!);
      this.ctx.handshake?.(false, HS_SERVER_HELLO);
    } else this.stop(d, toServer);
  }

  private dropMessage(d: Direction): void {
    d.message?.reset();
    d.message = null;
  }

  /** Feeds handshake-record bytes; false when the stream cannot be TLS. */
  private handshakeBytes(d: Direction, toServer: boolean, part: Uint8Array): boolean {
    let i = 0;
    while (i < part.length) {
      if (d.message === null) {
        const take = gather(d.hsHeader, d.hsHeaderHave, part, i);
        d.hsHeaderHave += take;
        i += take;
        if (d.hsHeaderHave < 4) return true;
        d.hsHeaderHave = 0;
        this.ctx.handshake?.(toServer, d.hsHeader[0]!);
        const len = (d.hsHeader[1]! << 16) | (d.hsHeader[2]! << 8) | d.hsHeader[3]!;
        if (len > MAX_HANDSHAKE_MESSAGE) return false;
        d.message = new ByteAccumulator(this.ctx.budget, len);
        d.messageLength = len;
        if (len > 0) continue;
      } else {
        const take = Math.min(d.messageLength - d.message.length, part.length - i);
        // Out of memory budget: this direction cannot be followed any further.
        if (d.message.append(part, i, i + take) < take) return false;
        i += take;
      }
      if (d.message.length === d.messageLength) {
        const body = d.message.take();
        d.message = null;
        this.onMessage(toServer, d.hsHeader[0]!, body);
      }
    }
    return true;
  }

  private onMessage(toServer: boolean, type: number, body: Uint8Array): void {
    if (toServer && type === HS_CLIENT_HELLO) {
      const hello = parseClientHello(body);
      if (hello === null) return;
      if (hello.truncated) this.ctx.stats.malformedHellos++;
      this.client = hello;
      this.ctx.stats.clientHellos++;
      // As Suricata: a client offering supported_versions is at the first (preferred) one it lists.
      const preferred = hello.supportedVersions.find((v) => !isGrease(v));
      this.ctx.version?.(true, preferred ?? hello.version);
      this.ctx.versionSeen?.(hello.version);
      this.ctx.emit(new TlsHello(this.txCount++, hello, null, [], 0));
    } else if (!toServer && type === HS_SERVER_HELLO) {
      const hello = parseServerHello(body);
      if (hello === null || this.server !== null) return;
      if (hello.truncated) this.ctx.stats.malformedHellos++;
      this.ctx.stats.serverHellos++;
      this.server = hello;
      this.ctx.version?.(false, hello.negotiated);
      this.ctx.versionSeen?.(hello.negotiated);
    } else if (!toServer && type === HS_CERTIFICATE) {
      this.emitServer(certificateList(body));
    } else if (!toServer && type === HS_SERVER_HELLO_DONE) {
      this.emitServer(null);
    }
  }

  /**
   * The server's side, once: one view with every buffer (the first certificate's fields), then
   * one per further certificate of the chain exposing just `tls.certs`, as each certificate is
   * inspected on its own.
   */
  private emitServer(certs: Uint8Array[] | null): void {
    if (this.serverDone || this.server === null) return;
    this.serverDone = true;
    const chain = certs ?? [];
    this.ctx.stats.certificates += chain.length;
    const id = this.txCount++;
    this.ctx.emit(new TlsHello(id, this.client, this.server, chain, 0));
    for (let k = 1; k < chain.length; k++) this.ctx.emit(new TlsHello(id, this.client, this.server, chain, k));
  }
}

const encoder = new TextEncoder();
/** Between ALPN names in the prefilter's block: a NUL, which no protocol name holds. */
const ALPN_SEPARATOR = new Uint8Array([0]);

/** A JA3 or JA3S string and its MD5, as text (EVE) and as bytes (the buffers). */
interface Fingerprint {
  string: string;
  hash: string;
  stringBytes: Uint8Array;
  hashBytes: Uint8Array;
}

function fingerprint(s: string): Fingerprint {
  const hash = md5Hex(s);
  return { string: s, hash, stringBytes: encoder.encode(s), hashBytes: encoder.encode(hash) };
}

/**
 * A hello as detection sees it: the client's (tls.sni, ja3.*) or the server's (ja3s.*, with
 * the client's buffers still readable, as Suricata keeps them on the session).
 */
export class TlsHello implements TlsHelloView {
  readonly kind = 'tls';
  readonly anomalies: readonly string[] = [];
  private ja3: Fingerprint | null = null;
  private ja3s: Fingerprint | null = null;
  private fields: CertificateFields | null | undefined = undefined;
  private fieldBytes: Partial<Record<BufferName, Uint8Array>> = {};
  private ja4: Uint8Array | undefined;
  private alpnBlock: Uint8Array | undefined;

  constructor(
    readonly id: number,
    readonly client: ClientHello | null,
    readonly server: ServerHello | null,
    /** The server's certificate chain (DER), empty when none was seen. */
    readonly certs: readonly Uint8Array[],
    /** The certificate this view is for; views past the first expose only `tls.certs`. */
    readonly certIndex: number,
  ) {}

  /** The first certificate's fields (null when it does not parse or there is none). */
  private certificate(): CertificateFields | null {
    if (this.fields === undefined) this.fields = this.certs.length > 0 ? parseCertificate(this.certs[0]!) : null;
    return this.fields;
  }

  private certField(name: BufferName, pick: (f: CertificateFields) => string): Uint8Array | undefined {
    if (this.certIndex !== 0) return undefined;
    const known = this.fieldBytes[name];
    if (known !== undefined) return known;
    const f = this.certificate();
    if (f === null) return undefined;
    return (this.fieldBytes[name] = encoder.encode(pick(f)));
  }

  /** JA3 of the ClientHello, computed once for the buffers and the EVE metadata alike. */
  private clientFingerprint(): Fingerprint | null {
    if (this.ja3 === null && this.client !== null) this.ja3 = fingerprint(ja3String(this.client));
    return this.ja3;
  }

  private serverFingerprint(): Fingerprint | null {
    if (this.ja3s === null && this.server !== null) this.ja3s = fingerprint(ja3sString(this.server));
    return this.ja3s;
  }

  get side(): 'client' | 'server' {
    return this.server === null ? 'client' : 'server';
  }

  buffer(name: BufferName): Uint8Array | undefined {
    switch (name) {
      case 'tls.sni':
        return this.client?.sni ?? undefined;
      case 'ja3.string':
      case 'ja3.hash': {
        const f = this.clientFingerprint();
        return f === null ? undefined : name === 'ja3.string' ? f.stringBytes : f.hashBytes;
      }
      case 'tls.certs':
        return this.certs[this.certIndex];
      case 'tls.cert_subject':
        return this.certField(name, (f) => f.subject);
      case 'tls.cert_issuer':
        return this.certField(name, (f) => f.issuer);
      case 'tls.cert_serial':
        return this.certField(name, (f) => f.serial);
      case 'tls.cert_fingerprint':
        return this.certField(name, (f) => f.fingerprint);
      case 'tls.random':
      case 'tls.random_time':
      case 'tls.random_bytes': {
        // The random of the side this view is for: the ClientHello's, or the ServerHello's.
        const random = this.certIndex !== 0 ? undefined : this.server !== null ? this.server.random : this.client?.random;
        if (random === undefined) return undefined;
        return name === 'tls.random' ? random : name === 'tls.random_time' ? random.subarray(0, 4) : random.subarray(4);
      }
      case 'ja4.hash':
        return this.client === null ? undefined : (this.ja4 ??= encoder.encode(ja4String(this.client)));
      case 'tls.alpn': {
        // Every ALPN name in one block, for the prefilter (see MULTI_INSTANCE_BUFFERS).
        const names = this.client?.alpn;
        if (names === undefined || names.length === 0) return undefined;
        return (this.alpnBlock ??= Buffer.concat(names.flatMap((n, i) => (i === 0 ? [n] : [ALPN_SEPARATOR, n]))));
      }
      case 'ja3s.string':
      case 'ja3s.hash': {
        const f = this.certIndex === 0 ? this.serverFingerprint() : null;
        return f === null ? undefined : name === 'ja3s.string' ? f.stringBytes : f.hashBytes;
      }
      default:
        return undefined;
    }
  }

  /** tls.alpn (a multi-instance buffer): each protocol name the client offered, in order. */
  instances(name: BufferName): readonly Uint8Array[] | undefined {
    return name === 'tls.alpn' ? this.client?.alpn : undefined;
  }

  meta(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const sni = this.client?.sni;
    if (sni) out.sni = Buffer.from(sni).toString('latin1');
    out.version = versionName(this.server?.negotiated ?? this.client?.version ?? 0);
    const ja3 = this.clientFingerprint();
    if (ja3 !== null) out.ja3 = { hash: ja3.hash, string: ja3.string };
    if (this.client !== null) out.ja4 = ja4String(this.client);
    const ja3s = this.serverFingerprint();
    if (ja3s !== null) out.ja3s = { hash: ja3s.hash, string: ja3s.string };
    const cert = this.certificate();
    if (cert !== null) {
      out.subject = cert.subject;
      out.issuerdn = cert.issuer;
      out.serial = cert.serial;
      out.fingerprint = cert.fingerprint;
    }
    return out;
  }
}
