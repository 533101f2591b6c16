/**
 * TCP stream reassembly, one direction at a time.
 *
 * Data is handed on as soon as it is contiguous (an inline sensor's view; nothing waits for
 * ACKs), so detection is timely. A segment that arrives in order while nothing is buffered is
 * passed on as the very view it came in (no copy); the consumer must not keep a chunk beyond
 * the call without copying it.
 *
 * Positions: each direction counts `streamOffset` from its first byte (ISN + 1, or the first
 * byte seen on a midstream pickup); a skipped hole advances the offset too. Sequence numbers
 * are compared modulo 2^32, so streams wrap around 2^32 like any other.
 *
 * Overlaps (documented policy):
 * - Bytes already delivered are final. A later segment carrying them is a retransmission; its
 *   bytes are compared with a retained tail of delivered data (`retainBytes`), and a difference
 *   counts as `tcpOverlapDiffData` (Suricata's reassembly_overlap_different_data event): the
 *   classic insertion/evasion signature.
 * - Among buffered (not yet delivered) out-of-order data the policy decides, as Suricata's
 *   DoHandleDataOverlap does: `bsd` (the default, Suricata's and Snort's; also what Windows,
 *   Linux and macOS do here) lets a new segment's bytes replace buffered ones only where the new
 *   segment starts before the buffered segment, else the buffered bytes stay; `first` always
 *   keeps the bytes that arrived first; `last` always lets the newest replace them. Differences
 *   are counted the same way.
 *
 * Holes: a hole is declared a gap, and delivery continues after it with `gapBefore` set, when
 * - the peer has acknowledged data at or beyond the next buffered segment (the missing bytes
 *   reached the receiver but not the capture: they will not be sent again),
 * - `gapTimeout` seconds of packet time passed since data beyond it arrived,
 * - the direction's buffer bound (bytes or segments) or the global memcap is reached, or
 * - the flow ends.
 */
import type { FlowView } from '../types/flow.js';
import type { TcpConfig } from './config.js';
import type { StreamEventListener } from './events.js';
import { seqDiff, seqGeq, seqGt } from './seq.js';
import type { StreamStats } from './stats.js';

export type TcpOverlapPolicy = 'bsd' | 'first' | 'last';

/** TcpReassembler.segment: the data went to the stream, starting a chunk where it was new. */
export const SEGMENT_IN_STREAM = 0;
/**
 * Its start did not begin a chunk: buffered out of order (it reaches the stream later, inside a
 * chunk that starts elsewhere), or a retransmission whose bytes differ from those delivered
 * (delivered data is final). Suricata adds such a segment to its stream as well, so only the
 * rules positioned from a buffer start see it as a packet too.
 */
export const SEGMENT_DISPLACED = 1;
/** Left out of the stream: out of window (the receiver drops it). */
export const SEGMENT_REFUSED = 2;

export interface StreamDataConsumer {
  onData(flow: FlowView, toServer: boolean, chunk: Uint8Array, streamOffset: number, gapBefore: boolean): void;
}

interface Segment {
  /** Stream offset of data[0]. */
  off: number;
  data: Uint8Array;
  /** Copied into memory of its own; otherwise still a view of the current packet. */
  owned: boolean;
}

/** Accounting charge per buffered segment beyond its bytes. */
const SEGMENT_OVERHEAD = 64;

/** Reassembly state of one direction of a TCP session. */
export class TcpStream {
  initialized = false;
  /** A segment with a right checksum came from this direction (see ChecksumMode). */
  checksumSeenRight = false;
  /** Sequence number of the next byte to deliver. */
  base = 0;
  /** Sequence number of the direction's first data byte (ISN + 1; the first seen when midstream). */
  startSeq = 0;
  /** Stream offset of `base`. */
  nextOff = 0;
  /** A hole was skipped since the last delivery. */
  gapPending = false;
  /** Out-of-order data: sorted by offset, non-overlapping, all beyond nextOff. */
  readonly segs: Segment[] = [];
  bufferedBytes = 0;
  /** Packet time since which delivery waits on the current hole. */
  holeSinceUs = 0;
  /** Highest acknowledgement the other side sent for this direction's data. */
  ackedByPeer = 0;
  ackValid = false;
  /**
   * Tail of delivered data, for retransmission checks: bytes [0, tailLength) of `tail` are the
   * stream bytes just before stream offset `tailEnd`. Twice the retained size, so appending
   * needs no allocation and only an occasional in-place move.
   */
  tail: Uint8Array | null = null;
  tailLength = 0;
  tailEnd = 0;
  retainRefused = false;
  depthReached = false;
  /** This direction sent a FIN, at sequence number `finSeq`: its data ends there. */
  finSeen = false;
  finSeq = 0;
  /** This direction's SYN carried the timestamp option (offered it). */
  tsOffered = false;
  /** TSval of the last segment accepted in order (PAWS compares later ones with it). */
  tsLast = 0;
  /** Packet time, whole seconds, of the last segment whose timestamp was accepted. */
  tsLastSec = 0;
  /**
   * Data of a TCP Fast Open SYN, held until the SYN/ACK says whether the server took it (a copy;
   * null when there is none).
   */
  synData: Uint8Array | null = null;

  /**
   * Sequence number just past the highest data byte seen (delivered or buffered): where the
   * sender's next new byte, or its FIN or RST, is expected.
   */
  get seqAfterData(): number {
    const last = this.segs[this.segs.length - 1];
    return last === undefined ? this.base : (this.base + (last.off + last.data.length - this.nextOff)) >>> 0;
  }

  /** Nothing delivered, skipped or buffered yet. */
  get pristine(): boolean {
    return this.nextOff === 0 && this.segs.length === 0;
  }
}

/** Retention buffers kept for reuse at most (with the default 2 x 2048 bytes each, 1 MB). */
const MAX_SPARE_TAILS = 256;

export class TcpReassembler {
  /** Packet clock, set by the engine before each packet. */
  nowUs = 0;
  private memuse = 0;
  private retainMemuse = 0;
  /**
   * Retention buffers of ended flows, handed to new ones: a busy link opens flows all the time
   * and a fresh zeroed buffer per direction cost more than the copies into it.
   */
  private readonly spareTails: Uint8Array[] = [];
  private readonly gapTimeoutUs: number;

  constructor(
    private readonly config: TcpConfig,
    private readonly stats: StreamStats,
    private readonly consumer: StreamDataConsumer,
    private readonly events: StreamEventListener,
  ) {
    this.gapTimeoutUs = config.gapTimeout * 1e6;
  }

  get bytesBuffered(): number {
    return this.memuse;
  }

  get bytesRetained(): number {
    return this.retainMemuse;
  }

  /** Sets where the direction's data starts (ISN + 1); ignored once data has been seen. */
  init(st: TcpStream, seq: number): void {
    if (!st.pristine) return;
    st.base = seq >>> 0;
    st.startSeq = st.base;
    st.initialized = true;
    if (st.ackValid) {
      const d = seqDiff(st.ackedByPeer, st.base);
      if (d < -this.config.maxSeqAhead || d > this.config.maxSeqAhead) st.ackValid = false;
    }
  }

  /** Records an acknowledgement the other side sent for this direction's data. */
  noteAck(st: TcpStream, ack: number): void {
    ack >>>= 0;
    if (!st.initialized) {
      st.ackedByPeer = ack;
      st.ackValid = true;
      return;
    }
    // Only acknowledgements within reach of the stream count: a wild value must not pull
    // the gap logic (which trusts ACKs) past data still to come.
    const d = seqDiff(ack, st.base);
    if (d < -this.config.maxSeqAhead || d > this.config.maxSeqAhead) return;
    if (!st.ackValid || seqGt(ack, st.ackedByPeer) || seqGt(st.base, st.ackedByPeer)) {
      st.ackedByPeer = ack;
      st.ackValid = true;
    }
  }

  /**
   * One segment's data, `seq` being the sequence number of data[0]. Returns where its bytes went
   * (SEGMENT_*), so that detection can also inspect the segment as a packet: all of it when the
   * stream did not take it, its start when that did not begin a chunk of its own.
   */
  segment(flow: FlowView, st: TcpStream, toServer: boolean, seq: number, data: Uint8Array): number {
    const n = data.length;
    if (n === 0) return SEGMENT_IN_STREAM;
    this.stats.tcpSegments++;
    if (!st.initialized) this.initFromData(st, seq);
    const rel = seqDiff(seq, st.base);
    if (rel > this.config.maxSeqAhead) {
      this.stats.tcpOutOfWindow++;
      this.events.event('stream.pkt_out_of_window', flow);
      return SEGMENT_REFUSED;
    }
    let off = st.nextOff + rel;
    const end = off + n;
    if (end <= st.nextOff) {
      // A one-byte segment just before the delivery point is a keep-alive probe; its byte is filler.
      if (n === 1 && end === st.nextOff) return SEGMENT_IN_STREAM;
      this.stats.tcpRetransmissions++;
      this.stats.tcpOverlaps++;
      // A copy of what was delivered needs no second look; one with other bytes does.
      return this.checkDelivered(flow, st, off, data) ? SEGMENT_DISPLACED : SEGMENT_IN_STREAM;
    }
    let d = data;
    let outcome = SEGMENT_IN_STREAM;
    const overlapsDelivered = off < st.nextOff;
    if (overlapsDelivered) {
      this.stats.tcpOverlaps++;
      const old = st.nextOff - off;
      if (this.checkDelivered(flow, st, off, d.subarray(0, old))) outcome = SEGMENT_DISPLACED;
      d = d.subarray(old);
      off = st.nextOff;
    }
    if (st.segs.length === 0) {
      if (off === st.nextOff) {
        this.deliver(flow, st, toServer, d, off);
        return outcome;
      }
      st.holeSinceUs = this.nowUs;
    }
    outcome = SEGMENT_DISPLACED;
    if (off > st.nextOff) this.stats.tcpOutOfOrder++;
    const policy = this.config.policy;
    const overlapsBuffered =
      policy === 'bsd' ? this.insertBsd(flow, st, off, d)
      : policy === 'last' ? this.insertLast(flow, st, off, d, false)
      : this.insertFirst(flow, st, off, d);
    if (overlapsBuffered && !overlapsDelivered) this.stats.tcpOverlaps++;
    this.deliverContiguous(flow, st, toServer);
    while (
      st.segs.length > 0 &&
      (st.bufferedBytes > this.config.maxBufferedPerDirection || st.segs.length > this.config.maxSegmentsPerDirection)
    ) {
      this.stats.tcpBufferLimitHits++;
      this.skipHole(flow, st, toServer);
    }
    this.adopt(flow, st, toServer, off, off + d.length);
    return outcome;
  }

  /** Declares holes that will not be filled (acknowledged by the peer, or waited on too long). */
  checkGaps(flow: FlowView, st: TcpStream, toServer: boolean): void {
    while (st.segs.length > 0) {
      const timedOut = this.gapTimeoutUs > 0 && this.nowUs - st.holeSinceUs >= this.gapTimeoutUs;
      if (!timedOut) {
        if (!st.ackValid) return;
        const firstSeq = (st.base + (st.segs[0]!.off - st.nextOff)) >>> 0;
        if (!seqGeq(st.ackedByPeer, firstSeq)) return;
      }
      this.skipHole(flow, st, toServer);
    }
  }

  /** Delivers everything buffered, skipping holes (the flow ends, or was reset). */
  flush(flow: FlowView, st: TcpStream, toServer: boolean): void {
    while (st.segs.length > 0) this.skipHole(flow, st, toServer);
  }

  /** Frees the direction's buffers (after flush, when the flow leaves the table). */
  release(st: TcpStream): void {
    if (st.segs.length > 0) this.removeSegs(st, 0, st.segs.length);
    if (st.tail !== null) {
      this.retainMemuse -= st.tail.length;
      this.stats.tcpRetainMemuse = this.retainMemuse;
      if (this.spareTails.length < MAX_SPARE_TAILS) this.spareTails.push(st.tail);
      st.tail = null;
      st.tailLength = 0;
    }
  }

  private initFromData(st: TcpStream, seq: number): void {
    // If the peer already acknowledged up to some point before this segment, the data from
    // there on may still arrive (reordered); start the stream where the peer expects it.
    let start = seq >>> 0;
    if (st.ackValid) {
      const d = seqDiff(seq, st.ackedByPeer);
      if (d > 0 && d <= this.config.maxSeqAhead) start = st.ackedByPeer;
    }
    this.init(st, start);
  }

  /** `first` policy: the new segment only fills what no buffered segment holds. Returns whether it overlapped any. */
  private insertFirst(flow: FlowView, st: TcpStream, off: number, d: Uint8Array): boolean {
    const segs = st.segs;
    const end = off + d.length;
    let i = firstEndingAfter(segs, off);
    let cur = off;
    let overlapped = false;
    let differs = false;
    while (cur < end) {
      const s = segs[i];
      if (s === undefined || s.off >= end) {
        this.addSeg(st, i, cur, d.subarray(cur - off));
        break;
      }
      if (s.off > cur) {
        this.addSeg(st, i, cur, d.subarray(cur - off, s.off - off));
        i++;
        cur = s.off;
      }
      const to = Math.min(end, s.off + s.data.length);
      overlapped = true;
      if (!differs && !sameBytes(d, cur - off, s.data, cur - s.off, to - cur)) differs = true;
      cur = to;
      i++;
    }
    if (differs) this.noteDifferentData(flow);
    return overlapped;
  }

  /**
   * `bsd` policy: a buffered segment that starts at or before the new one keeps its bytes; those
   * starting after it are replaced where the new one covers them. Returns whether it overlapped any.
   */
  private insertBsd(flow: FlowView, st: TcpStream, off: number, d: Uint8Array): boolean {
    const segs = st.segs;
    const end = off + d.length;
    const s = segs[firstEndingAfter(segs, off)];
    if (s === undefined || s.off > off) return this.insertLast(flow, st, off, d, false);
    // The buffered segment holding the new one's first byte wins over what they share.
    const cut = Math.min(end, s.off + s.data.length);
    const differs = !sameBytes(d, 0, s.data, off - s.off, cut - off);
    if (cut === end) {
      if (differs) this.noteDifferentData(flow);
      return true;
    }
    this.insertLast(flow, st, cut, d.subarray(cut - off), differs);
    return true;
  }

  /**
   * `last` policy: the new segment replaces whatever buffered bytes it covers. Returns whether it
   * overlapped any. `differed`: the caller already found different data in this segment (one event).
   */
  private insertLast(flow: FlowView, st: TcpStream, off: number, d: Uint8Array, differed: boolean): boolean {
    const segs = st.segs;
    const end = off + d.length;
    const i = firstEndingAfter(segs, off);
    let j = i;
    let differs = differed;
    while (j < segs.length && segs[j]!.off < end) {
      const s = segs[j]!;
      const from = Math.max(off, s.off);
      const to = Math.min(end, s.off + s.data.length);
      if (!differs && !sameBytes(d, from - off, s.data, from - s.off, to - from)) differs = true;
      j++;
    }
    if (j === i) {
      this.addSeg(st, i, off, d);
      if (differs) this.noteDifferentData(flow);
      return false;
    }
    const first = segs[i]!;
    const last = segs[j - 1]!;
    const left = first.off < off ? first.data.slice(0, off - first.off) : null;
    const lastEnd = last.off + last.data.length;
    const right = lastEnd > end ? last.data.slice(end - last.off) : null;
    const leftOff = first.off;
    this.removeSegs(st, i, j - i);
    let at = i;
    if (left !== null) this.addOwnedSeg(st, at++, leftOff, left);
    this.addSeg(st, at++, off, d);
    if (right !== null) this.addOwnedSeg(st, at, end, right);
    if (differs) this.noteDifferentData(flow);
    return true;
  }

  private noteDifferentData(flow: FlowView): void {
    this.stats.tcpOverlapDiffData++;
    this.events.event('stream.reassembly_overlap_different_data', flow);
  }

  /** Compares a retransmission with the retained tail of what was delivered; true when they differ. */
  private checkDelivered(flow: FlowView, st: TcpStream, off: number, d: Uint8Array): boolean {
    const tail = st.tail;
    if (tail === null) return false;
    const start = st.tailEnd - st.tailLength; // stream offset of tail[0]
    const lo = Math.max(off, start);
    const hi = Math.min(off + d.length, st.tailEnd);
    for (let p = lo; p < hi; p++) {
      if (tail[p - start] !== d[p - off]) {
        this.noteDifferentData(flow);
        return true;
      }
    }
    return false;
  }

  /** Delivers the run of buffered segments that starts at the delivery point, as one chunk. */
  private deliverContiguous(flow: FlowView, st: TcpStream, toServer: boolean): void {
    const segs = st.segs;
    if (segs.length === 0 || segs[0]!.off !== st.nextOff) return;
    let k = 1;
    let total = segs[0]!.data.length;
    while (k < segs.length && segs[k]!.off === st.nextOff + total) {
      total += segs[k]!.data.length;
      k++;
    }
    let chunk: Uint8Array;
    if (k === 1) {
      chunk = segs[0]!.data;
    } else {
      chunk = new Uint8Array(total);
      let p = 0;
      for (let x = 0; x < k; x++) {
        chunk.set(segs[x]!.data, p);
        p += segs[x]!.data.length;
      }
    }
    this.removeSegs(st, 0, k);
    this.deliver(flow, st, toServer, chunk, st.nextOff);
    if (segs.length > 0) st.holeSinceUs = this.nowUs;
  }

  /** Gives up on the hole before the first buffered segment and delivers from there. */
  private skipHole(flow: FlowView, st: TcpStream, toServer: boolean): void {
    const first = st.segs[0]!;
    const gap = first.off - st.nextOff;
    if (gap > 0) {
      st.base = (st.base + gap) >>> 0;
      st.nextOff = first.off;
      st.gapPending = true;
      st.tailLength = 0;
      this.stats.tcpReassemblyGaps++;
      this.events.event('stream.reassembly_seq_gap', flow);
    }
    this.deliverContiguous(flow, st, toServer);
  }

  private deliver(flow: FlowView, st: TcpStream, toServer: boolean, chunk: Uint8Array, off: number): void {
    const len = chunk.length;
    st.nextOff = off + len;
    st.base = (st.base + len) >>> 0;
    const gapBefore = st.gapPending;
    st.gapPending = false;
    const depth = this.config.depth;
    if (depth > 0 && off + len > depth) {
      if (!st.depthReached) {
        st.depthReached = true;
        this.stats.tcpStreamDepthReached++;
      }
      if (off >= depth) return;
      chunk = chunk.subarray(0, depth - off);
    }
    this.retain(st, chunk, off);
    this.consumer.onData(flow, toServer, chunk, off, gapBefore);
  }

  /** Keeps (at least) the last `retainBytes` delivered bytes, to check later retransmissions against. */
  private retain(st: TcpStream, chunk: Uint8Array, off: number): void {
    const r = this.config.retainBytes;
    if (r === 0) return;
    let tail = st.tail;
    if (tail === null) {
      if (this.retainMemuse + 2 * r > this.config.retainMemcap) {
        if (!st.retainRefused) {
          st.retainRefused = true;
          this.stats.tcpRetainMemcapHits++;
        }
        return;
      }
      // A reused buffer holds old bytes: only tail[0, tailLength) is ever read.
      tail = st.tail = this.spareTails.pop() ?? new Uint8Array(2 * r);
      st.tailLength = 0;
      this.retainMemuse += 2 * r;
      this.stats.tcpRetainMemuse = this.retainMemuse;
    }
    const n = chunk.length;
    if (st.tailLength > 0 && st.tailEnd !== off) st.tailLength = 0; // not adjacent (depth cut)
    if (n >= r) {
      tail.set(n === r ? chunk : chunk.subarray(n - r), 0);
      st.tailLength = r;
    } else {
      if (st.tailLength + n > tail.length) {
        const keep = Math.min(st.tailLength, r);
        tail.copyWithin(0, st.tailLength - keep, st.tailLength);
        st.tailLength = keep;
      }
      tail.set(chunk, st.tailLength);
      st.tailLength += n;
    }
    st.tailEnd = off + n;
  }

  /** Copies the current packet's still-buffered pieces in [from, to) into memory of their own. */
  private adopt(flow: FlowView, st: TcpStream, toServer: boolean, from: number, to: number): void {
    const segs = st.segs;
    for (let i = firstEndingAfter(segs, from); i < segs.length && segs[i]!.off < to; i++) {
      const s = segs[i]!;
      if (s.owned) continue;
      const charge = s.data.length + SEGMENT_OVERHEAD;
      if (this.memuse + charge > this.config.memcap) {
        // No room to wait for the hole: hand on everything this direction holds, gaps marked.
        this.stats.tcpMemcapHits++;
        this.flush(flow, st, toServer);
        return;
      }
      s.data = s.data.slice();
      s.owned = true;
      this.memuse += charge;
    }
    this.stats.tcpReassemblyMemuse = this.memuse;
  }

  private addSeg(st: TcpStream, at: number, off: number, data: Uint8Array): void {
    st.segs.splice(at, 0, { off, data, owned: false });
    st.bufferedBytes += data.length;
  }

  private addOwnedSeg(st: TcpStream, at: number, off: number, data: Uint8Array): void {
    st.segs.splice(at, 0, { off, data, owned: true });
    st.bufferedBytes += data.length;
    this.memuse += data.length + SEGMENT_OVERHEAD;
    this.stats.tcpReassemblyMemuse = this.memuse;
  }

  private removeSegs(st: TcpStream, at: number, count: number): void {
    const segs = st.segs;
    for (let k = at; k < at + count; k++) {
      const s = segs[k]!;
      st.bufferedBytes -= s.data.length;
      if (s.owned) this.memuse -= s.data.length + SEGMENT_OVERHEAD;
    }
    segs.splice(at, count);
    this.stats.tcpReassemblyMemuse = this.memuse;
  }
}

/** Index of the first segment that ends after `off` (ends are sorted, segments being disjoint). */
function firstEndingAfter(segs: readonly Segment[], off: number): number {
  let lo = 0;
  let hi = segs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = segs[mid]!;
    if (s.off + s.data.length <= off) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sameBytes(a: Uint8Array, aFrom: number, b: Uint8Array, bFrom: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[aFrom + i] !== b[bFrom + i]) return false;
  return true;
}
