import { type Endpoint, macFor, parseEndpoint } from './addr.js';
import { type Bytes, concatBytes, toBytes } from './bytes.js';
import { IPPROTO_TCP, ipv4Datagram, ipv6Datagram, tcpBytes, tcpFlags, tcpOption } from './layers.js';
import { type BuiltPacket, fragmentPacket, ipPacket } from './packets.js';

export type Side = 'client' | 'server';

export interface TcpSessionOptions {
  /** "ip:port" or "[ipv6]:port"; both sides of one family. */
  client: string;
  server: string;
  /** Time of the first packet, microseconds since the epoch (default 2023-11-14T22:13:20Z). */
  startUs?: number;
  /** Time between consecutive packets (default 1000 µs). */
  stepUs?: number;
  /** Initial sequence numbers; by default derived from the endpoints and `seed`. */
  clientIsn?: number;
  serverIsn?: number;
  /** Varies the derived ISNs and IP ids between otherwise identical sessions. */
  seed?: number;
  /** Largest segment payload when data is not split explicitly (default 1460). */
  mss?: number;
  window?: number;
  ttl?: number;
  vlans?: readonly number[];
}

export interface SendOptions {
  /** Payload sizes of consecutive segments; data left over is sent in further mss-sized segments. */
  segments?: readonly number[];
  /** Stream offsets (relative to this send) where a new segment starts; alternative to `segments`. */
  splitAt?: readonly number[];
  /** Send order as indices into the segment list (default in order): reordering. */
  order?: readonly number[];
  /** Indices of segments sent a second time after the others: retransmissions. */
  duplicate?: readonly number[];
  /** The peer acknowledges the data afterwards (default true). */
  ack?: boolean;
  /** Set PSH on the segment that ends the data (default true). */
  push?: boolean;
  /** Split every segment's IP datagram into fragments carrying these payload sizes. */
  fragment?: readonly number[];
}

export interface SegmentOptions {
  /** Stream offset of the first byte (0 = the byte after the SYN); default: the next unsent byte. */
  offset?: number;
  /** Absolute sequence number; overrides `offset`. */
  seq?: number;
  data?: Bytes;
  /** Flags as letters ("PA", "S", "FA", "R") or the flag byte (default "A", or "PA" with data). */
  flags?: number | string;
  /** Acknowledgement number (default: everything the peer sent so far). */
  ack?: number;
  options?: Bytes;
  window?: number;
  /** Move the next unsent offset past this segment when it ends beyond it (default true). */
  advance?: boolean;
  fragment?: readonly number[];
  /** Write a wrong TCP checksum (the right one plus one): a segment the receiver drops. */
  badChecksum?: boolean;
}

interface SideState {
  endpoint: Endpoint;
  mac: Uint8Array;
  isn: number;
  /** Sequence space used so far beyond the ISN: SYN and FIN count one each, data its length. */
  used: number;
  /** Stream bytes sent so far (the next unsent offset). */
  nextOffset: number;
  synSent: boolean;
  finSent: boolean;
  ipId: number;
}

/** Default start: a fixed instant, so captures are identical run after run. */
const DEFAULT_START_US = 1_700_000_000_000_000;

/**
 * A TCP conversation between a client and a server, built packet by packet with consistent
 * sequence and acknowledgement numbers, checksums and timestamps. Methods chain:
 *
 *   const s = tcpSession({ client: '10.0.0.1:1025', server: '192.168.1.5:80' });
 *   s.handshake().send('client', 'GET / HTTP/1.0\r\n\r\n', { segments: [4, 6] }).send('server', reply).close();
 *   writePcap('out.pcap', s.packets());
 */
export class TcpSession {
  private readonly sides: Record<Side, SideState>;
  private readonly out: BuiltPacket[] = [];
  private clock: number;
  private readonly stepUs: number;
  private readonly mss: number;
  private readonly window: number;
  private readonly ttl: number;
  private readonly vlans: readonly number[];
  readonly v6: boolean;

  constructor(options: TcpSessionOptions) {
    const client = parseEndpoint(options.client);
    const server = parseEndpoint(options.server);
    if (client.ip.length !== server.ip.length) throw new Error('client and server must be of one IP version');
    this.v6 = client.ip.length === 16;
    const seed = options.seed ?? 0;
    const mix = hash(`${options.client}|${options.server}|${seed}`);
    this.sides = {
      client: side(client, options.clientIsn ?? mix, (mix >>> 16) & 0xffff),
      server: side(server, options.serverIsn ?? hash(`${mix}`), mix & 0xffff),
    };
    this.clock = options.startUs ?? DEFAULT_START_US;
    this.stepUs = options.stepUs ?? 1000;
    this.mss = options.mss ?? 1460;
    this.window = options.window ?? 65535;
    this.ttl = options.ttl ?? 64;
    this.vlans = options.vlans ?? [];
  }

  /** Client SYN, server SYN-ACK, client ACK. */
  handshake(): this {
    return this.syn('client').syn('server').ack('client');
  }

  /** SYN from the client, or SYN-ACK from the server. */
  syn(from: Side): this {
    const s = this.sides[from];
    const flags = from === 'client' ? 'S' : 'SA';
    this.emit(from, s.isn, flags, new Uint8Array(0), {
      options: concatBytes([tcpOption.mss(this.mss), tcpOption.sackPermitted()]),
      ack: from === 'server' ? this.peerAck(from) : 0,
    });
    if (!s.synSent) {
      s.synSent = true;
      s.used = Math.max(s.used, 1);
    }
    return this;
  }

  /** A pure acknowledgement of everything the peer has sent. */
  ack(from: Side): this {
    this.emit(from, this.nextSeq(from), 'A', new Uint8Array(0), {});
    return this;
  }

  /**
   * Sends data from one side, cut into segments as asked; the peer then acknowledges it.
   * Segment boundaries, order and retransmissions are the evasion knobs reassembly must handle.
   */
  send(from: Side, data: Bytes, options: SendOptions = {}): this {
    const bytes = toBytes(data);
    const s = this.sides[from];
    const base = s.nextOffset;
    const pieces = this.cut(bytes, options);
    const order = options.order ?? pieces.map((_, i) => i);
    checkIndices(order, pieces.length, 'order');
    const push = options.push ?? true;
    const sendPiece = (index: number): void => {
      const piece = pieces[index]!;
      const last = piece.offset + piece.data.length === bytes.length;
      this.emit(from, this.seqAt(from, base + piece.offset), push && last ? 'PA' : 'A', piece.data, {
        ...(options.fragment !== undefined ? { fragment: options.fragment } : {}),
      });
    };
    for (const index of order) sendPiece(index);
    const duplicate = options.duplicate ?? [];
    checkIndices(duplicate, pieces.length, 'duplicate');
    for (const index of duplicate) sendPiece(index);
    s.nextOffset = base + bytes.length;
    s.used = Math.max(s.used, 1 + s.nextOffset);
    if (options.ack ?? true) this.ack(other(from));
    return this;
  }

  /**
   * One segment exactly as described, e.g. data at an offset already sent with different
   * content (an overlap), or a segment past a hole. Does not make the peer acknowledge.
   */
  segment(from: Side, options: SegmentOptions = {}): this {
    const s = this.sides[from];
    const data = toBytes(options.data ?? new Uint8Array(0));
    const offset = options.offset ?? s.nextOffset;
    const seq = options.seq ?? this.seqAt(from, offset);
    const flags = options.flags ?? (data.length > 0 ? 'PA' : 'A');
    this.emit(from, seq, flags, data, {
      ...(options.ack !== undefined ? { ack: options.ack } : {}),
      ...(options.options !== undefined ? { options: toBytes(options.options) } : {}),
      ...(options.window !== undefined ? { window: options.window } : {}),
      ...(options.fragment !== undefined ? { fragment: options.fragment } : {}),
      ...(options.badChecksum === true ? { badChecksum: true } : {}),
    });
    if ((options.advance ?? true) && options.seq === undefined && offset + data.length > s.nextOffset) {
      s.nextOffset = offset + data.length;
      s.used = Math.max(s.used, 1 + s.nextOffset);
    }
    return this;
  }

  /** Skips stream bytes as if they were sent but never captured: a gap for the reassembler. */
  skip(from: Side, length: number): this {
    const s = this.sides[from];
    s.nextOffset += length;
    s.used = Math.max(s.used, 1 + s.nextOffset);
    return this;
  }

  /** FIN from `initiator`, ACK, FIN from the other side, final ACK. */
  close(initiator: Side = 'client'): this {
    return this.fin(initiator).ack(other(initiator)).fin(other(initiator)).ack(initiator);
  }

  /** A FIN (with ACK) from one side. */
  fin(from: Side): this {
    const s = this.sides[from];
    this.emit(from, this.nextSeq(from), 'FA', new Uint8Array(0), {});
    if (!s.finSent) {
      s.finSent = true;
      s.used = 1 + s.nextOffset + 1;
    }
    return this;
  }

  /** A reset from one side. */
  reset(from: Side): this {
    this.emit(from, this.nextSeq(from), 'RA', new Uint8Array(0), {});
    return this;
  }

  /** Lets time pass before the next packet. */
  wait(us: number): this {
    this.clock += us;
    return this;
  }

  /** The packets so far, in capture order. */
  packets(): BuiltPacket[] {
    return this.out.slice();
  }

  /** The absolute sequence number of a stream offset of one side (offset 0 = first data byte). */
  seqAt(from: Side, offset: number): number {
    return (this.sides[from].isn + 1 + offset) >>> 0;
  }

  isn(from: Side): number {
    return this.sides[from].isn;
  }

  private nextSeq(from: Side): number {
    const s = this.sides[from];
    return (s.isn + s.used) >>> 0;
  }

  private peerAck(from: Side): number {
    const peer = this.sides[other(from)];
    return (peer.isn + peer.used) >>> 0;
  }

  private cut(bytes: Uint8Array, options: SendOptions): { offset: number; data: Uint8Array }[] {
    const sizes: number[] = [];
    if (options.splitAt !== undefined) {
      let prev = 0;
      for (const at of [...options.splitAt].sort((a, b) => a - b)) {
        if (at > prev && at < bytes.length) {
          sizes.push(at - prev);
          prev = at;
        }
      }
    } else if (options.segments !== undefined) {
      sizes.push(...options.segments);
    }
    const pieces: { offset: number; data: Uint8Array }[] = [];
    let o = 0;
    for (const size of sizes) {
      if (o >= bytes.length) break;
      if (size <= 0) throw new RangeError(`segment size ${size} must be positive`);
      pieces.push({ offset: o, data: bytes.subarray(o, Math.min(o + size, bytes.length)) });
      o += size;
    }
    while (o < bytes.length) {
      pieces.push({ offset: o, data: bytes.subarray(o, Math.min(o + this.mss, bytes.length)) });
      o += this.mss;
    }
    return pieces;
  }

  private emit(
    from: Side,
    seq: number,
    flags: number | string,
    payload: Uint8Array,
    extra: { ack?: number; options?: Uint8Array; window?: number; fragment?: readonly number[]; badChecksum?: boolean },
  ): void {
    const s = this.sides[from];
    const d = this.sides[other(from)];
    const flagBits = tcpFlags(flags);
    const ack = extra.ack ?? ((flagBits & 0x10) !== 0 ? this.peerAck(from) : 0);
    const segment = tcpBytes(
      {
        srcPort: s.endpoint.port,
        dstPort: d.endpoint.port,
        seq,
        ack,
        flags: flagBits,
        window: extra.window ?? this.window,
        ...(extra.options !== undefined ? { options: extra.options } : {}),
        payload,
      },
      s.endpoint.ip,
      d.endpoint.ip,
    );
    if (extra.badChecksum === true) segment[17] = (segment[17]! + 1) & 0xff;
    const id = s.ipId;
    s.ipId = (s.ipId + 1) & 0xffff;
    const datagram = this.v6
      ? ipv6Datagram({ src: s.endpoint.ip, dst: d.endpoint.ip, nextHeader: IPPROTO_TCP, payload: segment, hopLimit: this.ttl })
      : ipv4Datagram({ src: s.endpoint.ip, dst: d.endpoint.ip, protocol: IPPROTO_TCP, payload: segment, ttl: this.ttl, id });
    const packet = ipPacket(datagram, this.clock, { vlans: this.vlans, srcMac: s.mac, dstMac: d.mac });
    if (extra.fragment !== undefined && extra.fragment.length > 0) {
      const frags = fragmentPacket(packet, { sizes: extra.fragment, id: id + 1, stepUs: this.stepUs });
      this.out.push(...frags);
      this.clock += this.stepUs * frags.length;
    } else {
      this.out.push(packet);
      this.clock += this.stepUs;
    }
  }
}

export function tcpSession(options: TcpSessionOptions): TcpSession {
  return new TcpSession(options);
}

function side(endpoint: Endpoint, isn: number, ipId: number): SideState {
  return {
    endpoint,
    mac: macFor(endpoint.ip),
    isn: isn >>> 0,
    used: 0,
    nextOffset: 0,
    synSent: false,
    finSent: false,
    ipId,
  };
}

function other(s: Side): Side {
  return s === 'client' ? 'server' : 'client';
}

function checkIndices(indices: readonly number[], count: number, what: string): void {
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= count) {
      throw new RangeError(`${what} names segment ${i}, but the data makes ${count} segments`);
    }
  }
}

/** FNV-1a: a stable 32-bit value from text, for default ISNs and ids. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
