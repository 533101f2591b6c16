/**
 * The stream stage's driver: decoded packets in; packets with their flow, reassembled stream
 * data and flow ends out, through a sink.
 *
 * Per packet, in this order:
 * 1. TCP flows whose close completed at the previous packet are released (below). The packet
 *    clock advances (it never goes back: captures merged out of order do not undo timeouts);
 *    expired flows and fragment trackers are closed, their buffered data handed on.
 * 2. A fragment goes to the defragmenter. It is shown to the sink on its own, without a flow
 *    (`inspectFragments`, so that header rules such as fragbits see it, as in Snort and
 *    Suricata); the datagram it completes, if any, continues below as one packet with
 *    ip.reassembled set.
 * 3. The flow is found or created, the TCP session advanced, and data that became contiguous is
 *    handed on with sink.streamData (possibly for the other direction, when this packet's ACK
 *    shows a hole there will not be filled).
 * 4. sink.packet(pkt, flow), with flow.toServer set for this packet.
 *
 * Release at close: once a TCP session's close is complete (a RST, or both FINs acknowledged),
 * the flow's reassembly buffers are freed and sink.flowEnd is called before the next packet, as
 * for a flow that timed out, so the later stages free their per-flow state too. The flow stays
 * in the table as a small record (key, TCP state, sequence positions, flowbits) for the closed
 * timeout: late packets still find it, retransmitted data is recognised as already delivered
 * and counted, not inspected again. New data after the release (a spoofed RST followed by more
 * traffic) is still reassembled and handed on; such a flow gets flowEnd again when it ends.
 * So a flow gets flowEnd once, after its last stream data, or once more after each such revival.
 *
 * Sink calls happen synchronously inside process()/flush(); chunks and flows are only valid
 * during the call (copy a chunk to keep it). The sink must not call back into the engine.
 */
import { icmpv4IsError } from '../decode/transport.js';
import type { FlowView } from '../types/flow.js';
import type { DecodedPacket } from '../types/packet.js';
import { TCP_ACK, TCP_SYN, type TcpHeader } from '../types/packet.js';
import { resolveStreamConfig, type StreamConfig, type StreamOptions } from './config.js';
import { Defragmenter, NOT_A_FRAGMENT, type IpDatagramDecoder } from './defrag.js';
import type { StreamEventKind, StreamEventListener } from './events.js';
import { Flow, PROTO_TCP } from './flow.js';
import { FlowTable, type FlowEndReason, type FlowIdCounter, type FlowRemovalListener } from './flow-table.js';
import { createStreamStats, type StreamStats } from './stats.js';
import { TcpReassembler, type StreamDataConsumer } from './tcp-reassembly.js';
import { startsNewSession, TcpSessionTracker } from './tcp-session.js';

export interface StreamSink {
  /** Every packet (and, with inspectFragments, every fragment), with its flow if it has one. */
  packet(pkt: DecodedPacket, flow: FlowView | null): void;
  /**
   * Contiguous TCP stream data of one direction. `streamOffset` counts from the direction's
   * first byte; `gapBefore` says bytes before this chunk were never seen and were skipped.
   */
  streamData(flow: FlowView, toServer: boolean, chunk: Uint8Array, streamOffset: number, gapBefore: boolean): void;
  /**
   * The flow's state may be freed: its TCP session closed (it stays in the table for late
   * packets, which still reach packet()), or it left the table (timeout, eviction, tuple reuse,
   * end of input). Comes after the flow's last stream data.
   */
  flowEnd?(flow: FlowView): void;
  /** An anomaly (Suricata decoder/stream event names) on the packet being processed, if any. */
  event?(kind: StreamEventKind, pkt: DecodedPacket | null, flow: FlowView | null): void;
}

export class StreamEngine implements StreamDataConsumer, FlowRemovalListener, StreamEventListener {
  readonly stats: StreamStats = createStreamStats();
  readonly config: StreamConfig;
  private readonly table: FlowTable;
  private readonly defrag: Defragmenter;
  private readonly reasm: TcpReassembler;
  private readonly tcp: TcpSessionTracker;
  private sink: StreamSink | null = null;
  private current: DecodedPacket | null = null;
  private nowUs = 0;
  /** Flows whose close completed during the last packet, released before the next one. */
  private readonly closedFlows: Flow[] = [];

  /**
   * @param decodeIp decodes a rebuilt IP datagram (decode/ip.ts's decodeIpDatagram with its
   *   stats bound: `(bytes, base) => decodeIpDatagram(bytes, base, decodeStats)`).
   * @param flowIds where flow ids come from: give one counter to the engines of several inputs
   *   scanned in one run, so a flow_id names one flow in all of the run's output (as Suricata's).
   */
  constructor(decodeIp: IpDatagramDecoder, options: StreamOptions = {}, flowIds: FlowIdCounter = { next: 1 }) {
    this.config = resolveStreamConfig(options);
    this.table = new FlowTable(this.config.flow, this.stats, this, flowIds);
    this.defrag = new Defragmenter(this.config.defrag, this.stats, this, decodeIp);
    this.reasm = new TcpReassembler(this.config.tcp, this.stats, this, this);
    this.tcp = new TcpSessionTracker(this.config.tcp, this.stats, this.reasm, this);
  }

  process(pkt: DecodedPacket, sink: StreamSink): void {
    this.sink = sink;
    if (this.closedFlows.length > 0) this.releaseClosed();
    this.current = pkt;
    if (pkt.tsUs > this.nowUs) this.nowUs = pkt.tsUs;
    this.reasm.nowUs = this.nowUs;
    this.table.expire(this.nowUs);
    this.defrag.expire(this.nowUs);

    const ip = pkt.ip;
    if (ip !== undefined && !ip.reassembled && (ip.moreFragments || ip.fragOffset !== 0)) {
      const whole = this.defrag.insert(pkt, ip, this.vlanKey(pkt), this.nowUs);
      if (whole !== NOT_A_FRAGMENT) {
        if (this.config.inspectFragments) sink.packet(pkt, null);
        if (whole !== null) {
          this.current = whole;
          this.handle(whole, sink);
        }
        this.current = null;
        return;
      }
    }
    this.handle(pkt, sink);
    this.current = null;
  }

  /** End of input: hands on all buffered stream data, ends every flow, drops incomplete datagrams. */
  flush(sink: StreamSink): void {
    this.sink = sink;
    this.current = null;
    // Flows closed at the last packet end with all the others, in flow order.
    for (const f of this.closedFlows) f.releaseQueued = false;
    this.closedFlows.length = 0;
    this.table.removeAll('flush');
    this.defrag.flush();
  }

  get flowCount(): number {
    return this.table.size;
  }

  get fragmentTrackerCount(): number {
    return this.defrag.trackerCount;
  }

  get fragmentBytesHeld(): number {
    return this.defrag.bytesHeld;
  }

  get reassemblyBytesBuffered(): number {
    return this.reasm.bytesBuffered;
  }

  get reassemblyBytesRetained(): number {
    return this.reasm.bytesRetained;
  }

  /** Reassembly bytes the flow table holds: out-of-order buffers and retained tails together. */
  get reassemblyBytesHeld(): number {
    return this.reasm.bytesBuffered + this.reasm.bytesRetained;
  }

  /** @internal StreamDataConsumer */
  onData(flow: FlowView, toServer: boolean, chunk: Uint8Array, streamOffset: number, gapBefore: boolean): void {
    flow.toServer = toServer;
    const f = flow as Flow; // the reassembler is only ever handed this engine's flows
    if (f.released) {
      f.released = false;
      this.stats.tcpFlowsRevived++;
    }
    this.sink?.streamData(flow, toServer, chunk, streamOffset, gapBefore);
  }

  /** @internal FlowRemovalListener */
  flowRemoved(flow: Flow, reason: FlowEndReason): void {
    // Also for a released flow: late out-of-order data may have been buffered since.
    this.tcp.finish(flow);
    if (flow.released) return; // the sink was told at the close
    if (reason === 'flush') this.stats.flowsEndedAtFlush++;
    flow.released = true;
    this.sink?.flowEnd?.(flow);
  }

  /** Frees what flows closed at the previous packet hold, and lets the sink free its state. */
  private releaseClosed(): void {
    const list = this.closedFlows;
    for (let i = 0; i < list.length; i++) {
      const f = list[i]!;
      f.releaseQueued = false;
      // Gone already (evicted, reused) or released by another path.
      if (f.released || f.timeoutClass < 0) continue;
      this.tcp.finish(f);
      f.released = true;
      this.stats.tcpFlowsReleasedAtClose++;
      this.sink?.flowEnd?.(f);
    }
    list.length = 0;
  }

  /** @internal StreamEventListener */
  event(kind: StreamEventKind, flow: FlowView | null): void {
    this.sink?.event?.(kind, this.current, flow);
  }

  private handle(pkt: DecodedPacket, sink: StreamSink): void {
    const ip = pkt.ip;
    if (ip === undefined) {
      sink.packet(pkt, null);
      return;
    }
    const table = this.table;
    let flow = table.lookup(pkt);
    if (!table.keyable) {
      this.stats.flowsUnkeyable++;
      sink.packet(pkt, null);
      return;
    }
    if (flow === null && isIcmpv4Error(pkt)) {
      // As Suricata: an error about a flow that is not in the table does not open one.
      this.stats.icmpErrorsWithoutFlow++;
      sink.packet(pkt, null);
      return;
    }
    let toServer = table.lookupToServer;
    const tcp = ip.protocol === PROTO_TCP ? pkt.tcp : undefined;
    if (flow !== null && tcp !== undefined && startsNewSession(flow, toServer, tcp)) {
      this.stats.tcpReuse++;
      table.remove(flow, 'reuse');
      flow = null;
    }
    if (flow === null) {
      // A SYN/ACK opening a flow comes from the server; so does TCP data picked up midstream
      // that only a server sends first (Suricata reverses such a flow once its protocol is
      // detected on the wrong side); anything else comes from the client.
      const srcIsClient =
        tcp === undefined || ((tcp.flags & (TCP_SYN | TCP_ACK)) !== (TCP_SYN | TCP_ACK) && ((tcp.flags & TCP_SYN) !== 0 || !startsAsServer(pkt.payload)));
      flow = table.create(pkt, srcIsClient, this.nowUs);
      toServer = srcIsClient;
    }
    if (toServer) {
      flow.pktsToServer++;
      flow.bytesToServer += pkt.payload.length;
    } else {
      flow.pktsToClient++;
      flow.bytesToClient += pkt.payload.length;
    }
    if (tcp !== undefined) {
      if (flow.released) this.lateTcpPacket(flow, pkt, tcp, toServer);
      else this.tcp.packet(flow, pkt, tcp, toServer);
      if (flow.closeComplete && !flow.released && !flow.releaseQueued) {
        flow.releaseQueued = true;
        this.closedFlows.push(flow);
      }
    } else if (!flow.established && flow.seenBothWays && flow.proto !== PROTO_TCP) {
      // An ICMP error that joined a TCP flow leaves the handshake to decide.
      flow.established = true;
    }
    table.touch(flow, this.nowUs);
    flow.toServer = toServer;
    sink.packet(pkt, flow);
  }

  /** A packet of a flow released at its close: counted; data it repeats is not handed on again. */
  private lateTcpPacket(flow: Flow, pkt: DecodedPacket, tcp: TcpHeader, toServer: boolean): void {
    const stats = this.stats;
    stats.tcpPacketsAfterRelease++;
    const before = stats.tcpRetransmissions;
    this.tcp.packet(flow, pkt, tcp, toServer);
    stats.tcpRetransmissionsAfterRelease += stats.tcpRetransmissions - before;
  }

  /**
   * The VLAN tags (all three, as Suricata) and tunnel layer that key a fragment's tracker with its
   * addresses. The tags count whatever flow.vlanTracking says: Suricata's defrag hash takes the
   * packet's vlan ids as they are (vlan.use-for-tracking masks them for flows only).
   */
  private vlanKey(pkt: DecodedPacket): number {
    const vl = pkt.vlans;
    // Arithmetic, not bit operations: three 12-bit tags and the layer take more than 32 bits.
    let key = pkt.tunnelLayer ?? 0;
    for (let i = 0; i < 3; i++) key = key * 4096 + ((vl[i] ?? 0) & 0xfff);
    return key;
  }
}

/** Suricata never opens a flow for these (FlowCreateCheck). */
function isIcmpv4Error(pkt: DecodedPacket): boolean {
  const icmp = pkt.icmp;
  return icmp !== undefined && !icmp.v6 && icmpv4IsError(icmp.type);
}

/**
 * Bytes only a server starts a connection's data with: an HTTP status line (`HTTP/` and a
 * digit) or a TLS ServerHello record (handshake record, version 3.x, handshake type 2).
 */
export function startsAsServer(b: Uint8Array): boolean {
  if (b.length >= 6 && (b[0]! | 0x20) === 0x68 && (b[1]! | 0x20) === 0x74 && (b[2]! | 0x20) === 0x74 && (b[3]! | 0x20) === 0x70 && b[4] === 0x2f) {
    return b[5]! >= 0x30 && b[5]! <= 0x39;
  }
  return b.length >= 6 && b[0] === 0x16 && b[1] === 0x03 && b[2]! <= 0x04 && b[5] === 0x02;
}
