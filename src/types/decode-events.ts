/**
 * Decoder events raised only for frames dropped before a packet exists (a broken link layer):
 * counted in the stats, never seen by rules.
 */
const FRAME_EVENTS = [
  'vlan.header_too_small',
  'vlan.too_many_layers',
  'sll.pkt_too_small',
  'sll2.pkt_too_small',
  'ltnull.pkt_too_small',
  'ltnull.unsupported_type',
  'nflog.pkt_too_small',
  'ppp.pkt_too_small',
  'ppp.unsup_proto',
  'chdlc.pkt_too_small',
  'nflog.no_payload',
  'pppoe.pkt_too_small',
  'mpls.header_too_small',
  'mpls.pkt_too_small',
  'mpls.bad_label_router_alert',
  'mpls.bad_label_implicit_null',
  'mpls.bad_label_reserved',
  'mpls.unknown_payload_type',
  'ieee8021ah.header_too_small',
  'vntag.header_too_small',
  'dce.pkt_too_small',
  'ipraw.invalid_ip_version',
] as const;

/** Decoder events raised on packets (the packet goes on, without the layer that failed). */
const PACKET_EVENTS = [
  'ethernet.pkt_too_small',
  'ipv4.pkt_too_small',
  'ipv4.hlen_too_small',
  'ipv4.iplen_smaller_than_hlen',
  'ipv4.trunc_pkt',
  'ipv4.wrong_ip_version',
  'ipv4.opt_invalid_len',
  'ipv4.opt_malformed',
  'ipv4.opt_pad_required',
  'ipv4.opt_eol_required',
  'ipv4.opt_duplicate',
  'ipv4.opt_invalid',
  'ipv4.icmpv6',
  'ipv6.pkt_too_small',
  'ipv6.trunc_pkt',
  'ipv6.wrong_ip_version',
  'ipv6.trunc_exthdr',
  'ipv6.exthdr_dupl_hh',
  'ipv6.exthdr_dupl_rh',
  'ipv6.exthdr_dupl_fh',
  'ipv6.exthdr_dupl_dh',
  'ipv6.exthdr_dupl_ah',
  'ipv6.exthdr_useless_fh',
  'ipv6.exthdr_invalid_optlen',
  'ipv6.rh_type_0',
  'ipv6.data_after_none_header',
  'ipv6.icmpv4',
  'tcp.pkt_too_small',
  'tcp.hlen_too_small',
  'tcp.invalid_optlen',
  'tcp.opt_invalid_len',
  'udp.hlen_too_small',
  'udp.pkt_too_small',
  'udp.hlen_invalid',
  'sctp.pkt_too_small',
  'icmpv4.pkt_too_small',
  'icmpv4.unknown_type',
  'icmpv6.pkt_too_small',
  'gre.pkt_too_small',
  'gre.wrong_version',
  'gre.version0_recur',
  'gre.version0_flags',
  'gre.version0_hdr_too_big',
  'gre.version0_malformed_sre_hdr',
  'gre.version1_chksum',
  'gre.version1_route',
  'gre.version1_ssr',
  'gre.version1_recur',
  'gre.version1_flags',
  'gre.version1_no_key',
  'gre.version1_wrong_protocol',
  'gre.version1_hdr_too_big',
  'erspan.header_too_small',
  'erspan.unsupported_version',
  'vxlan.unknown_payload_type',
  'geneve.unknown_payload_type',
  'too_many_layers',
] as const;

/**
 * Decoder event names, as Suricata's `decode-event` keyword spells them (without "decoder."):
 * shared by the decoder, which raises them, and the keyword, which matches them.
 */
export const DECODE_EVENTS = [...FRAME_EVENTS, ...PACKET_EVENTS] as const;

export type DecodeEvent = (typeof DECODE_EVENTS)[number];

/** The decoder events rules never see (see FRAME_EVENTS). */
export const FRAME_ONLY_EVENTS: ReadonlySet<string> = new Set<string>(FRAME_EVENTS);

/** Events of IP defragmentation (raised by the stream stage), spelled as decoder events. */
export const DEFRAG_EVENTS = [
  'ipv4.frag_overlap',
  'ipv6.frag_overlap',
  'ipv4.frag_pkt_too_large',
  'ipv6.frag_pkt_too_large',
  'ipv6.frag_invalid_length',
  'ipv4.frag_ignored',
  'ipv6.frag_ignored',
] as const;

export type DefragEvent = (typeof DEFRAG_EVENTS)[number];

/** TCP stream events, as Suricata's `stream-event` keyword spells them (without "stream."). */
export const STREAM_EVENTS = ['reassembly_overlap_different_data', 'reassembly_seq_gap', 'rst_invalid', 'pkt_out_of_window', 'pkt_invalid_timestamp'] as const;

export type StreamEvent = (typeof STREAM_EVENTS)[number];
