import type { DecodedPacket } from '../types/packet.js';
import type { DecodeStats } from './stats.js';

/**
 * Decoder event names, as Suricata's `decode-event` keyword spells them (without "decoder.").
 * Invalid events make the packet invalid: the failing layer and everything above it are dropped.
 */
export type DecodeEvent =
  | 'ethernet.pkt_too_small'
  | 'vlan.header_too_small'
  | 'vlan.too_many_layers'
  | 'sll.pkt_too_small'
  | 'sll2.pkt_too_small'
  | 'ltnull.pkt_too_small'
  | 'ltnull.unsupported_type'
  | 'pppoe.pkt_too_small'
  | 'mpls.header_too_small'
  | 'ipraw.invalid_ip_version'
  | 'ipv4.pkt_too_small'
  | 'ipv4.hlen_too_small'
  | 'ipv4.iplen_smaller_than_hlen'
  | 'ipv4.trunc_pkt'
  | 'ipv4.wrong_ip_version'
  | 'ipv4.opt_invalid_len'
  | 'ipv4.opt_malformed'
  | 'ipv4.opt_pad_required'
  | 'ipv4.icmpv6'
  | 'ipv6.pkt_too_small'
  | 'ipv6.trunc_pkt'
  | 'ipv6.wrong_ip_version'
  | 'ipv6.trunc_exthdr'
  | 'ipv6.exthdr_dupl_hh'
  | 'ipv6.exthdr_dupl_rh'
  | 'ipv6.exthdr_dupl_fh'
  | 'ipv6.exthdr_dupl_dh'
  | 'ipv6.exthdr_dupl_ah'
  | 'ipv6.exthdr_useless_fh'
  | 'ipv6.exthdr_invalid_optlen'
  | 'ipv6.rh_type_0'
  | 'ipv6.data_after_none_header'
  | 'ipv6.icmpv4'
  | 'tcp.pkt_too_small'
  | 'tcp.hlen_too_small'
  | 'tcp.invalid_optlen'
  | 'tcp.opt_invalid_len'
  | 'udp.hlen_too_small'
  | 'udp.pkt_too_small'
  | 'udp.hlen_invalid'
  | 'icmpv4.pkt_too_small'
  | 'icmpv4.unknown_type'
  | 'icmpv6.pkt_too_small'
  | 'gre.pkt_too_small'
  | 'gre.wrong_version'
  | 'gre.version0_recur'
  | 'gre.version0_flags'
  | 'gre.version0_hdr_too_big'
  | 'gre.version0_malformed_sre_hdr'
  | 'gre.version1_chksum'
  | 'gre.version1_route'
  | 'gre.version1_ssr'
  | 'gre.version1_recur'
  | 'gre.version1_flags'
  | 'gre.version1_no_key'
  | 'gre.version1_wrong_protocol'
  | 'gre.version1_hdr_too_big'
  | 'erspan.header_too_small'
  | 'erspan.unsupported_version'
  | 'vxlan.unknown_payload_type'
  | 'geneve.unknown_payload_type'
  | 'too_many_layers';

/** Records an event on the packet and in the stats; `invalid` marks the packet invalid (counted once). */
export function raiseEvent(
  pkt: DecodedPacket,
  stats: DecodeStats,
  name: DecodeEvent,
  invalid: boolean,
): void {
  if (pkt.events === undefined) pkt.events = [name];
  else pkt.events.push(name);
  stats.event(name);
  if (invalid && pkt.invalid !== true) {
    pkt.invalid = true;
    stats.invalid++;
  }
}

/** For frames rejected before a packet object exists (the link layer itself is broken). */
export function countInvalidFrame(stats: DecodeStats, name: DecodeEvent): void {
  stats.event(name);
  stats.invalid++;
}
