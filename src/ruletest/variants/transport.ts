/**
 * Transport-level variants: how one send is cut into TCP segments, in which order they go,
 * which are sent twice or overlapped by a retransmission with the same bytes, and how the IP
 * datagrams are fragmented. None of this changes the bytes the receiving application reads.
 */
import { fragmentCount, segmentSizes } from '../build.js';
import type { Delivery } from '../model.js';

export interface TransportPlan {
  /** Picks of split offsets (reduced to 1..length-1). */
  splits: number[];
  /**
   * Segment size for the send's first TINY_SPAN bytes (0: off): a message dribbled out a few
   * bytes per segment, so no segment starts where a rule positioned from the buffer start looks.
   */
  tiny?: number;
  /** Segment pairs that trade places in the send order. */
  swaps: [number, number][];
  /** Picks of segments sent again. */
  dups: number[];
  /** [start pick, length pick] of same-content retransmissions. */
  overlaps: [number, number][];
  /** IP fragment sizes, or null for unfragmented datagrams. */
  frag: number[] | null;
}

export interface DatagramPlan {
  frag: number[] | null;
  /** Fragment pairs that trade places. */
  swaps: [number, number][];
}

export const NO_TRANSPORT_CHANGE: TransportPlan = { splits: [], swaps: [], dups: [], overlaps: [], frag: null };

/** Bytes of a send cut into tiny segments (the rest goes in ordinary ones): bounds the packets per variant. */
const TINY_SPAN = 512;

/** Longest same-content retransmission generated (bytes). */
const MAX_OVERLAP = 256;

function permuted(n: number, swaps: readonly [number, number][]): number[] | undefined {
  if (n < 2) return undefined;
  const order = Array.from({ length: n }, (_, i) => i);
  for (const [x, y] of swaps) {
    const i = x % n;
    const j = y % n;
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.every((v, i) => v === i) ? undefined : order;
}

/** The delivery of a send of `length` bytes under a plan, and what it does in words. */
export function deliveryFor(length: number, plan: TransportPlan, what: string, changes: string[]): Delivery {
  const d: Delivery = {};
  if (length === 0) return d;
  const tiny = plan.tiny ?? 0;
  if (length >= 2 && (plan.splits.length > 0 || tiny > 0)) {
    const cuts = new Set(plan.splits.map((v) => 1 + (v % (length - 1))));
    for (let at = tiny; tiny > 0 && at < Math.min(length, TINY_SPAN); at += tiny) cuts.add(at);
    d.split = [...cuts].sort((a, b) => a - b);
  }
  const n = segmentSizes(length, d.split).length;
  const order = permuted(n, plan.swaps);
  if (order !== undefined) d.order = order;
  if (plan.dups.length > 0) d.dup = [...new Set(plan.dups.map((v) => v % n))].sort((a, b) => a - b);
  if (plan.overlaps.length > 0) {
    d.overlap = plan.overlaps.map(([a, b]) => {
      const start = a % length;
      const end = start + 1 + (b % Math.min(MAX_OVERLAP, length - start));
      return [start, end] as [number, number];
    });
  }
  if (plan.frag !== null && plan.frag.length > 0) d.frag = plan.frag.slice();
  const parts: string[] = [];
  if (d.split !== undefined) {
    // A run of tiny cuts is said in a few words, not hundreds of offsets.
    const other = tiny > 0 ? d.split.filter((at) => at >= TINY_SPAN || at % tiny !== 0) : d.split;
    if (tiny > 0) parts.push(`first ${Math.min(length, TINY_SPAN)} bytes sent ${tiny} byte${tiny === 1 ? '' : 's'} per segment`);
    if (other.length > 0) parts.push(`cut at ${other.join(',')}`);
  }
  if (d.order !== undefined) parts.push(`segments sent in order ${d.order.join(',')}`);
  if (d.dup !== undefined) parts.push(`segments ${d.dup.join(',')} sent twice`);
  if (d.overlap !== undefined) parts.push(`bytes ${d.overlap.map(([a, b]) => `${a}-${b}`).join(',')} retransmitted`);
  if (d.frag !== undefined) parts.push(`IP fragments of ${d.frag.join(',')} bytes`);
  if (parts.length > 0) changes.push(`${what}: ${parts.join('; ')}`);
  return d;
}

/** The delivery of a datagram whose IP payload (transport header included) is `ipPayload` bytes. */
export function datagramDeliveryFor(ipPayload: number, plan: DatagramPlan, what: string, changes: string[]): Delivery {
  const d: Delivery = {};
  if (plan.frag === null || plan.frag.length === 0) return d;
  d.frag = plan.frag.slice();
  const order = permuted(fragmentCount(ipPayload, d.frag), plan.swaps);
  if (order !== undefined) d.fragOrder = order;
  changes.push(`${what}: IP fragments of ${d.frag.join(',')} bytes${order !== undefined ? `, sent in order ${order.join(',')}` : ''}`);
  return d;
}
