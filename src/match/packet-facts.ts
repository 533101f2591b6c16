/**
 * The header facts of a packet (and of its flow, where a rule reads them) that rules' header
 * conditions test: what the engine fills once per inspection context before evaluating.
 */
import type { FlowView } from '../types/flow.js';
import type { DecodedPacket, IpHeader } from '../types/packet.js';
import {
  FACT_APP_PROTO,
  FACT_DECODE_EVENTS,
  FACT_DSIZE,
  FACT_FRAG,
  FACT_ICMP_CODE,
  FACT_ICMP_ECHO,
  FACT_ICMP_TYPE,
  FACT_ICMPV6_MTU,
  FACT_IP_ALL,
  FACT_SSL,
  FACT_STREAM_SIZE,
  FACT_TCP_ACK,
  FACT_TCP_FLAGS,
  FACT_TCP_SEQ,
  FACT_TCP_WINDOW,
  FACT_TLS_VERSION,
  FRAGBIT_DONT,
  FRAGBIT_MORE,
  FRAGBIT_RESERVED,
  type HeaderFacts,
} from '../options/matcher.js';

export function fillPacketFacts(f: HeaderFacts, pkt: DecodedPacket, flow: FlowView | null, fragment: boolean, needed: number): void {
  const ip = pkt.ip!;
  f.clear();
  let known = (fragmentFacts(ip) ? FACT_IP_ALL : FACT_IP_ALL & ~FACT_FRAG) | FACT_DSIZE | FACT_APP_PROTO | FACT_DECODE_EVENTS;
  if (pkt.events !== undefined) f.decodeEvents = pkt.events;
  f.ipVersion = ip.version;
  f.src = ip.src;
  f.dst = ip.dst;
  f.ttl = ip.ttl;
  f.tos = ip.tos;
  f.ipId = ip.id;
  f.ipProto = ip.protocol;
  f.fragBits = (ip.moreFragments ? FRAGBIT_MORE : 0) | (ip.dontFragment ? FRAGBIT_DONT : 0) | (ip.reservedBit ? FRAGBIT_RESERVED : 0);
  f.fragOffset = ip.fragOffset >>> 3;
  f.ipOptions = ip.options;
  f.dsize = fragment ? 0 : pkt.payload.length;
  f.appProto = flow !== null ? flow.appProto : null;
  const tcp = pkt.tcp;
  if (flow !== null) known |= flowFacts(f, flow, flow.toServer, tcp !== undefined, needed);
  if (tcp !== undefined) {
    known |= FACT_TCP_FLAGS | FACT_TCP_SEQ | FACT_TCP_ACK | FACT_TCP_WINDOW;
    f.tcpFlags = tcp.flags;
    f.seq = tcp.seq;
    f.ack = tcp.ack;
    f.window = tcp.window;
  }
  const icmp = pkt.icmp;
  if (icmp !== undefined) {
    known |= FACT_ICMP_TYPE | FACT_ICMP_CODE | FACT_ICMP_ECHO;
    f.icmpType = icmp.type;
    f.icmpCode = icmp.code;
    f.icmpId = icmp.id;
    f.icmpSeq = icmp.seq;
    f.icmpV6 = icmp.v6;
    if (icmp.mtu !== undefined) {
      f.icmpv6Mtu = icmp.mtu;
      known |= FACT_ICMPV6_MTU;
    }
  }
  f.known = known;
}

/**
 * Whether fragbits and fragoffset read this packet, as in Suricata: an IPv6 packet only with a
 * fragment header (fragoffset reads that header; fragbits is IPv4's alone, compile.ts), so not
 * a rebuilt IPv6 datagram, which has none. A rebuilt IPv4 datagram keeps its header's fields
 * (Suricata's pseudo packets, PKT_IS_PSEUDOPKT, are stream ones; a rebuilt datagram matches
 * `fragbits:!D` and `fragoffset:0` there too).
 */
function fragmentFacts(ip: IpHeader): boolean {
  return ip.version === 4 || ip.fragHeaderOffset !== undefined;
}

/**
 * What a flow lends the facts, gathered only when some rule reads it (`needed`, the ruleset's
 * neededFacts): the TCP sides' sizes (stream_size), and on SSL/TLS flows the handshake state,
 * the versions seen and the sender's hello version (ssl_state, ssl_version, tls.version).
 */
export function flowFacts(f: HeaderFacts, flow: FlowView, toServer: boolean, tcp: boolean, needed: number): number {
  let known = 0;
  if (tcp && (needed & FACT_STREAM_SIZE) !== 0) known |= streamSizeFacts(f, flow);
  if (flow.appProto === 'tls' && (needed & (FACT_SSL | FACT_TLS_VERSION)) !== 0) known |= tlsFacts(f, flow, toServer);
  return known;
}

/** The SSL/TLS facts of the side sending toServer-ward data; FACT_TLS_VERSION once that side's hello was seen. */
function tlsFacts(f: HeaderFacts, flow: FlowView, toServer: boolean): number {
  // ssl_state and ssl_version hold on any flow carrying SSL/TLS, with or without a hello yet.
  f.sslState = ((flow.sslState ?? 0) >>> (toServer ? 0 : 8)) & 0xff;
  f.sslVersions = flow.sslVersions ?? 0;
  const v = toServer ? flow.tlsClientVersion : flow.tlsServerVersion;
  if (v === undefined || v === 0) return FACT_SSL;
  f.tlsVersion = v;
  return FACT_TLS_VERSION | FACT_SSL;
}

/** Fills the TCP session's side sizes (stream_size); returns FACT_STREAM_SIZE when both are known. */
function streamSizeFacts(f: HeaderFacts, flow: FlowView): number {
  if (flow.streamSize === undefined) return 0;
  const c = flow.streamSize(true);
  const s = flow.streamSize(false);
  if (c < 0 && s < 0) return 0;
  // A side that has sent nothing yet has used no sequence space.
  f.streamClient = Math.max(0, c);
  f.streamServer = Math.max(0, s);
  return FACT_STREAM_SIZE;
}
