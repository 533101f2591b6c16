/**
 * Builders for the stream tests: decoded packets made directly (as decode/ would hand them
 * over), raw IPv4/IPv6 datagrams and their fragments, a small IP decoder for rebuilt
 * datagrams, and a sink that records everything.
 */
import type { FlowView } from '../../src/types/flow.js';
import type { DecodedPacket, IpHeader } from '../../src/types/packet.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../src/types/packet.js';
import type { DatagramBase } from '../../src/stream/defrag.js';
import type { StreamEventKind } from '../../src/stream/events.js';
import type { StreamSink } from '../../src/stream/stream-engine.js';

export { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN };

export const te = new TextEncoder();
export const td = new TextDecoder('latin1');
export const bytes = (s: string): Uint8Array => te.encode(s);

export function ip4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

/** Full IPv6 address text only (no '::'), e.g. "2001:db8:0:0:0:0:0:1". */
export function ip6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  text.split(':').forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

function ipHeader(src: Uint8Array, dst: Uint8Array, protocol: number, payloadLength: number): IpHeader {
  const v6 = src.length === 16;
  return {
    version: v6 ? 6 : 4,
    src,
    dst,
    protocol,
    ttl: 64,
    tos: 0,
    id: 0,
    reservedBit: false,
    dontFragment: false,
    moreFragments: false,
    fragOffset: 0,
    options: [],
    headerLength: v6 ? 40 : 20,
    totalLength: (v6 ? 40 : 20) + payloadLength,
    reassembled: false,
  };
}

export interface TcpSpec {
  src?: Uint8Array;
  dst?: Uint8Array;
  sport?: number;
  dport?: number;
  seq: number;
  ack?: number;
  flags: number;
  payload?: Uint8Array | string;
  tsUs?: number;
  num?: number;
  vlans?: number[];
  /** Raw TCP option bytes. */
  options?: Uint8Array;
}

export const CLIENT = ip4('10.0.0.1');
export const SERVER = ip4('10.0.0.2');

export function tcpPkt(s: TcpSpec): DecodedPacket {
  const payload = typeof s.payload === 'string' ? bytes(s.payload) : (s.payload ?? new Uint8Array(0));
  const src = s.src ?? CLIENT;
  const dst = s.dst ?? SERVER;
  const sport = s.sport ?? 40000;
  const dport = s.dport ?? 80;
  return {
    num: s.num ?? 0,
    tsUs: s.tsUs ?? 1_000_000,
    frame: payload,
    wireLength: payload.length + 54,
    vlans: s.vlans ?? [],
    ip: ipHeader(src, dst, 6, 20 + payload.length),
    tcp: { srcPort: sport, dstPort: dport, seq: s.seq >>> 0, ack: (s.ack ?? 0) >>> 0, flags: s.flags, window: 65535, urgent: 0, headerLength: 20 + (s.options?.length ?? 0), options: s.options ?? new Uint8Array(0) },
    srcPort: sport,
    dstPort: dport,
    payload,
  };
}

export function udpPkt(src: Uint8Array, dst: Uint8Array, sport: number, dport: number, payload: Uint8Array | string, tsUs = 1_000_000): DecodedPacket {
  const p = typeof payload === 'string' ? bytes(payload) : payload;
  return {
    num: 0,
    tsUs,
    frame: p,
    wireLength: p.length + 42,
    vlans: [],
    ip: ipHeader(src, dst, 17, 8 + p.length),
    udp: { srcPort: sport, dstPort: dport, length: 8 + p.length },
    srcPort: sport,
    dstPort: dport,
    payload: p,
  };
}

/**
 * A TCP conversation between CLIENT:40000 and SERVER:80 with chosen ISNs, handing out
 * packets with the right sequence numbers.
 */
export class Conversation {
  tsUs = 1_000_000;
  constructor(
    readonly clientIsn: number,
    readonly serverIsn: number,
    readonly sport = 40000,
    readonly dport = 80,
  ) {}

  private at(ts?: number): number {
    if (ts !== undefined) this.tsUs = ts;
    return this.tsUs;
  }

  syn(ts?: number): DecodedPacket {
    return tcpPkt({ sport: this.sport, dport: this.dport, seq: this.clientIsn, flags: TCP_SYN, tsUs: this.at(ts) });
  }
  synAck(ts?: number): DecodedPacket {
    return tcpPkt({ src: SERVER, dst: CLIENT, sport: this.dport, dport: this.sport, seq: this.serverIsn, ack: this.clientIsn + 1, flags: TCP_SYN | TCP_ACK, tsUs: this.at(ts) });
  }
  ack(ts?: number): DecodedPacket {
    return tcpPkt({ sport: this.sport, dport: this.dport, seq: this.clientIsn + 1, ack: this.serverIsn + 1, flags: TCP_ACK, tsUs: this.at(ts) });
  }
  /** Client data at stream offset `off`. */
  c(off: number, payload: Uint8Array | string, opts: { flags?: number; ack?: number; ts?: number } = {}): DecodedPacket {
    return tcpPkt({
      sport: this.sport, dport: this.dport, seq: this.clientIsn + 1 + off, ack: opts.ack ?? this.serverIsn + 1,
      flags: opts.flags ?? TCP_ACK | TCP_PSH, payload, tsUs: this.at(opts.ts),
    });
  }
  /** Server data at stream offset `off`; `ack` is the client's stream offset acknowledged. */
  s(off: number, payload: Uint8Array | string, opts: { flags?: number; ackOff?: number; ts?: number } = {}): DecodedPacket {
    return tcpPkt({
      src: SERVER, dst: CLIENT, sport: this.dport, dport: this.sport, seq: this.serverIsn + 1 + off,
      ack: this.clientIsn + 1 + (opts.ackOff ?? 0), flags: opts.flags ?? TCP_ACK | TCP_PSH, payload, tsUs: this.at(opts.ts),
    });
  }
  handshake(): DecodedPacket[] {
    return [this.syn(), this.synAck(), this.ack()];
  }
}

export interface Chunk {
  flowId: number;
  toServer: boolean;
  data: Uint8Array;
  offset: number;
  gapBefore: boolean;
}

export interface SeenPacket {
  pkt: DecodedPacket;
  flowId: number | null;
  toServer: boolean | null;
  established: boolean | null;
  midstream: boolean | null;
}

/** Records what the engine hands on, copying chunks (they are only valid during the call). */
export class RecordingSink implements StreamSink {
  readonly packets: SeenPacket[] = [];
  readonly chunks: Chunk[] = [];
  readonly ended: number[] = [];
  /** Per flow id, what the flow's stream data and ends looked like in order: 'd' data, 'e' end. */
  readonly lifeline = new Map<number, string>();
  readonly events: { kind: StreamEventKind; flowId: number | null }[] = [];
  /** Chunks delivered without a copy (a view of the packet payload). */
  zeroCopy = 0;
  lastPayload: Uint8Array | null = null;

  packet(pkt: DecodedPacket, flow: FlowView | null): void {
    this.packets.push({ pkt, flowId: flow?.id ?? null, toServer: flow?.toServer ?? null, established: flow?.established ?? null, midstream: flow?.midstream ?? null });
  }
  streamData(flow: FlowView, toServer: boolean, chunk: Uint8Array, streamOffset: number, gapBefore: boolean): void {
    if (flow.toServer !== toServer) throw new Error('flow.toServer must match the chunk direction');
    this.chunks.push({ flowId: flow.id, toServer, data: chunk.slice(), offset: streamOffset, gapBefore });
    this.note(flow.id, 'd');
  }
  flowEnd(flow: FlowView): void {
    this.ended.push(flow.id);
    this.note(flow.id, 'e');
  }
  private note(id: number, what: string): void {
    const line = this.lifeline.get(id) ?? '';
    // Runs of data collapse to one mark: the order of data and ends is what matters.
    if (!(what === 'd' && line.endsWith('d'))) this.lifeline.set(id, line + what);
  }
  event(kind: StreamEventKind, _pkt: DecodedPacket | null, flow: FlowView | null): void {
    this.events.push({ kind, flowId: flow?.id ?? null });
  }

  /** All bytes of one direction, in delivery order. */
  stream(toServer: boolean, flowId?: number): Uint8Array {
    const parts = this.chunks.filter((c) => c.toServer === toServer && (flowId === undefined || c.flowId === flowId));
    const out = new Uint8Array(parts.reduce((n, c) => n + c.data.length, 0));
    let p = 0;
    for (const c of parts) {
      out.set(c.data, p);
      p += c.data.length;
    }
    return out;
  }
  text(toServer: boolean, flowId?: number): string {
    return td.decode(this.stream(toServer, flowId));
  }
}

// ---- raw datagrams and fragments ----

export function ipv4Checksum(b: Uint8Array, hlen: number): number {
  let sum = 0;
  for (let i = 0; i < hlen; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** A whole IPv4 datagram (checksum set). */
export function ipv4Datagram(o: { src?: Uint8Array; dst?: Uint8Array; proto: number; id: number; payload: Uint8Array; options?: Uint8Array; df?: boolean; ttl?: number }): Uint8Array {
  const opts = o.options ?? new Uint8Array(0);
  const hlen = 20 + opts.length;
  const b = new Uint8Array(hlen + o.payload.length);
  b[0] = 0x40 | (hlen / 4);
  b[2] = b.length >> 8;
  b[3] = b.length & 0xff;
  b[4] = o.id >> 8;
  b[5] = o.id & 0xff;
  b[6] = o.df ? 0x40 : 0;
  b[8] = o.ttl ?? 64;
  b[9] = o.proto;
  b.set(o.src ?? CLIENT, 12);
  b.set(o.dst ?? SERVER, 16);
  b.set(opts, 20);
  const ck = ipv4Checksum(b, hlen);
  b[10] = ck >> 8;
  b[11] = ck & 0xff;
  b.set(o.payload, hlen);
  return b;
}

export interface FragSpec {
  /** Byte offset into the datagram's payload (a multiple of 8 except for tests of invalid input). */
  off: number;
  data: Uint8Array;
  more: boolean;
}

/** One IPv4 fragment of `datagram` (its header copied), as raw bytes. */
export function ipv4FragmentBytes(datagram: Uint8Array, f: FragSpec): Uint8Array {
  const hlen = (datagram[0]! & 0x0f) * 4;
  const b = new Uint8Array(hlen + f.data.length);
  b.set(datagram.subarray(0, hlen), 0);
  b[2] = b.length >> 8;
  b[3] = b.length & 0xff;
  const field = (datagram[6]! & 0x40 ? 0x4000 : 0) | (f.more ? 0x2000 : 0) | (f.off >> 3);
  b[6] = field >> 8;
  b[7] = field & 0xff;
  b[10] = b[11] = 0;
  const ck = ipv4Checksum(b, hlen);
  b[10] = ck >> 8;
  b[11] = ck & 0xff;
  b.set(f.data, hlen);
  return b;
}

/** Splits a payload into fragments at the given cut points (multiples of 8). */
export function cut(payload: Uint8Array, cuts: number[]): FragSpec[] {
  const points = [0, ...cuts.filter((c) => c > 0 && c < payload.length), payload.length];
  const out: FragSpec[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    out.push({ off: points[i]!, data: payload.subarray(points[i]!, points[i + 1]!), more: i + 2 < points.length });
  }
  return out;
}

const ETHERNET_HEADER = new Uint8Array([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00]);

/**
 * A fragment as decode/ would hand it over: the frame (with an Ethernet header in front),
 * header fields decoded, and the payload a view of the frame holding the fragment data.
 */
export function fragmentPacket(raw: Uint8Array, tsUs = 1_000_000, num = 0): DecodedPacket {
  const frame = new Uint8Array(ETHERNET_HEADER.length + raw.length);
  frame.set(ETHERNET_HEADER, 0);
  frame.set(raw, ETHERNET_HEADER.length);
  const ipb = frame.subarray(ETHERNET_HEADER.length);
  const pkt: DecodedPacket = { num, tsUs, frame, wireLength: frame.length, vlans: [], srcPort: 0, dstPort: 0, payload: new Uint8Array(0) };
  if (ipb[0]! >> 4 === 4) {
    const hlen = (ipb[0]! & 15) * 4;
    const field = (ipb[6]! << 8) | ipb[7]!;
    pkt.ip = {
      ...ipHeader(ipb.slice(12, 16), ipb.slice(16, 20), ipb[9]!, 0),
      id: (ipb[4]! << 8) | ipb[5]!,
      moreFragments: (field & 0x2000) !== 0,
      dontFragment: (field & 0x4000) !== 0,
      fragOffset: (field & 0x1fff) * 8,
      headerLength: hlen,
      totalLength: (ipb[2]! << 8) | ipb[3]!,
    };
    pkt.payload = ipb.subarray(hlen, (ipb[2]! << 8) | ipb[3]!);
  } else {
    // IPv6: walk to the fragment header, as a decoder would.
    let nh = ipb[6]!;
    let p = 40;
    while (nh !== 44) {
      nh = ipb[p]!;
      p += (ipb[p + 1]! + 1) * 8;
    }
    const field = (ipb[p + 2]! << 8) | ipb[p + 3]!;
    pkt.ip = {
      ...ipHeader(ipb.slice(8, 24), ipb.slice(24, 40), ipb[p]!, 0),
      id: ((ipb[p + 4]! << 24) | (ipb[p + 5]! << 16) | (ipb[p + 6]! << 8) | ipb[p + 7]!) >>> 0,
      moreFragments: (field & 1) !== 0,
      fragOffset: field & 0xfff8,
      headerLength: p + 8,
      totalLength: ipb.length,
    };
    pkt.payload = ipb.subarray(p + 8);
  }
  return pkt;
}

/** A whole IPv6 datagram; `ext` are extension headers (each [nextHeader-less body]) placed before the payload. */
export function ipv6Datagram(o: { src?: Uint8Array; dst?: Uint8Array; nextHeader: number; payload: Uint8Array; hopByHop?: boolean }): Uint8Array {
  const ext = o.hopByHop ? 8 : 0;
  const b = new Uint8Array(40 + ext + o.payload.length);
  b[0] = 0x60;
  const plen = ext + o.payload.length;
  b[4] = plen >> 8;
  b[5] = plen & 0xff;
  b[6] = o.hopByHop ? 0 : o.nextHeader;
  b[7] = 64;
  b.set(o.src ?? ip6('2001:db8:0:0:0:0:0:1'), 8);
  b.set(o.dst ?? ip6('2001:db8:0:0:0:0:0:2'), 24);
  if (o.hopByHop) {
    b[40] = o.nextHeader;
    b[41] = 0; // 8 bytes: next header, length, PadN option filling the rest
    b[42] = 1;
    b[43] = 4;
  }
  b.set(o.payload, 40 + ext);
  return b;
}

/** One IPv6 fragment of `datagram`: unfragmentable part, Fragment header, data. */
export function ipv6FragmentBytes(datagram: Uint8Array, f: FragSpec, id: number): Uint8Array {
  // Unfragmentable part: the IPv6 header plus a hop-by-hop header if present.
  const unfrag = datagram[6] === 0 ? 48 : 40;
  const nhPos = datagram[6] === 0 ? 40 : 6;
  const payloadNext = datagram[nhPos]!;
  const b = new Uint8Array(unfrag + 8 + f.data.length);
  b.set(datagram.subarray(0, unfrag), 0);
  b[nhPos] = 44;
  const plen = b.length - 40;
  b[4] = plen >> 8;
  b[5] = plen & 0xff;
  b[unfrag] = payloadNext;
  const field = f.off | (f.more ? 1 : 0);
  b[unfrag + 2] = field >> 8;
  b[unfrag + 3] = field & 0xff;
  b[unfrag + 4] = (id >>> 24) & 0xff;
  b[unfrag + 5] = (id >>> 16) & 0xff;
  b[unfrag + 6] = (id >>> 8) & 0xff;
  b[unfrag + 7] = id & 0xff;
  b.set(f.data, unfrag + 8);
  return b;
}

/** The unfragmented payload of an IPv6 datagram built by ipv6Datagram. */
export function ipv6Payload(datagram: Uint8Array): Uint8Array {
  return datagram.subarray(datagram[6] === 0 ? 48 : 40);
}

/**
 * A minimal IP decoder for rebuilt datagrams (what decode/ip.ts does for real): records every
 * datagram it was given and decodes addresses, protocol and TCP/UDP headers.
 */
export class TestIpDecoder {
  readonly seen: Uint8Array[] = [];
  readonly decode = (b: Uint8Array, base: DatagramBase): DecodedPacket | null => {
    this.seen.push(b.slice());
    const pkt: DecodedPacket = { num: base.num, tsUs: base.tsUs, frame: base.frame, wireLength: base.wireLength, vlans: base.vlans, srcPort: 0, dstPort: 0, payload: new Uint8Array(0) };
    let proto: number;
    let l4: number;
    let end: number;
    if (b.length >= 20 && b[0]! >> 4 === 4) {
      l4 = (b[0]! & 15) * 4;
      proto = b[9]!;
      end = (b[2]! << 8) | b[3]!;
      pkt.ip = { ...ipHeader(b.slice(12, 16), b.slice(16, 20), proto, end - l4), id: (b[4]! << 8) | b[5]!, headerLength: l4 };
    } else if (b.length >= 40 && b[0]! >> 4 === 6) {
      proto = b[6]!;
      l4 = 40;
      while (proto === 0 || proto === 43 || proto === 60) {
        const next = b[l4]!;
        l4 += (b[l4 + 1]! + 1) * 8;
        proto = next;
      }
      end = 40 + ((b[4]! << 8) | b[5]!);
      pkt.ip = { ...ipHeader(b.slice(8, 24), b.slice(24, 40), proto, end - l4), headerLength: l4 };
    } else {
      return null;
    }
    if (proto === 6 && end - l4 >= 20) {
      const t = b.subarray(l4, end);
      const hl = (t[12]! >> 4) * 4;
      pkt.tcp = {
        srcPort: (t[0]! << 8) | t[1]!, dstPort: (t[2]! << 8) | t[3]!,
        seq: ((t[4]! << 24) | (t[5]! << 16) | (t[6]! << 8) | t[7]!) >>> 0,
        ack: ((t[8]! << 24) | (t[9]! << 16) | (t[10]! << 8) | t[11]!) >>> 0,
        flags: t[13]!, window: (t[14]! << 8) | t[15]!, urgent: 0, headerLength: hl, options: t.subarray(20, hl),
      };
      pkt.srcPort = pkt.tcp.srcPort;
      pkt.dstPort = pkt.tcp.dstPort;
      pkt.payload = t.subarray(hl);
    } else if (proto === 17 && end - l4 >= 8) {
      const u = b.subarray(l4, end);
      pkt.udp = { srcPort: (u[0]! << 8) | u[1]!, dstPort: (u[2]! << 8) | u[3]!, length: (u[4]! << 8) | u[5]! };
      pkt.srcPort = pkt.udp.srcPort;
      pkt.dstPort = pkt.udp.dstPort;
      pkt.payload = u.subarray(8);
    } else {
      pkt.payload = b.subarray(l4, end);
    }
    return pkt;
  };
}

/** Raw TCP header + payload, for datagrams that will be fragmented. */
export function tcpSegmentBytes(sport: number, dport: number, seq: number, ack: number, flags: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(20 + payload.length);
  b[0] = sport >> 8; b[1] = sport & 0xff; b[2] = dport >> 8; b[3] = dport & 0xff;
  b[4] = seq >>> 24; b[5] = (seq >>> 16) & 0xff; b[6] = (seq >>> 8) & 0xff; b[7] = seq & 0xff;
  b[8] = ack >>> 24; b[9] = (ack >>> 16) & 0xff; b[10] = (ack >>> 8) & 0xff; b[11] = ack & 0xff;
  b[12] = 5 << 4; b[13] = flags; b[14] = 0xff; b[15] = 0xff;
  b.set(payload, 20);
  return b;
}

/** A deterministic pseudo-random byte pattern. */
export function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
