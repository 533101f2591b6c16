import type { FlowView } from '../types/flow.js';

/**
 * Anomalies the stream stage reports on the packet being processed, named as Suricata's
 * decoder and stream events (`decode-event:ipv4.frag_overlap`, `stream-event:reassembly_seq_gap`).
 */
export type StreamEventKind =
  | 'ipv4.frag_overlap'
  | 'ipv6.frag_overlap'
  | 'ipv4.frag_pkt_too_large'
  | 'ipv6.frag_pkt_too_large'
  | 'ipv6.frag_invalid_length'
  | 'ipv4.frag_ignored'
  | 'ipv6.frag_ignored'
  | 'stream.reassembly_overlap_different_data'
  | 'stream.reassembly_seq_gap'
  | 'stream.rst_invalid'
  | 'stream.pkt_out_of_window';

export interface StreamEventListener {
  event(kind: StreamEventKind, flow: FlowView | null): void;
}
