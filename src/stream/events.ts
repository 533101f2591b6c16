import type { DefragEvent, StreamEvent } from '../types/decode-events.js';
import type { FlowView } from '../types/flow.js';

/**
 * Anomalies the stream stage reports on the packet being processed, named as Suricata's
 * decoder and stream events (`decode-event:ipv4.frag_overlap`, `stream-event:reassembly_seq_gap`).
 */
export type StreamEventKind = DefragEvent | `stream.${StreamEvent}`;

export interface StreamEventListener {
  event(kind: StreamEventKind, flow: FlowView | null): void;
}
