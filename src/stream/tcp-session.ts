/**
 * The TCP session state machine, as an observer between the two ends sees it, and the
 * routing of each segment's data and acknowledgement to the reassembler.
 *
 * - `client` is the side that sent the SYN. A session first seen at its SYN/ACK is picked up
 *   midstream with the SYN/ACK's sender as server; one first seen at any other ACK-bearing
 *   packet is picked up midstream with that packet's sender as client, and counts as
 *   established at once (rules with `flow:established` should still see a session whose start
 *   the capture missed). Both are flagged `midstream`.
 * - SYN, SYN/ACK, ACK -> established. A missing SYN/ACK or final ACK in the capture does not
 *   stall the session: the next ACK from the client, or data from the server, completes it.
 * - FIN from one side -> closing; from both, or a RST -> closed (data on the RST itself goes to the
 *   stream before it closes). Data beyond a side's FIN is not: its receiver discards it. Data
 *   after a RST is still reassembled.
 * - The close is complete (`flow.closeComplete`) at a RST, or once each side's FIN has been
 *   acknowledged by the other (the last ACK): from then on the engine may release the flow's
 *   buffers, as nothing new is expected.
 * - A RST not at the sender's next sequence number is ignored and counted (`stream.rst_invalid`):
 *   the receiver drops it too, so believing it would let a spoofed RST hide the rest of an attack.
 * - Data on a SYN stays out of the stream unless the SYN carries TCP Fast Open, and then only
 *   once the SYN/ACK acknowledges it; data on a SYN/ACK never enters it (Suricata's
 *   StreamTcpPacketStateNone and StreamTcpPacketStateSynSent). A receiver drops both, so junk
 *   there must not take the place of the bytes that follow.
 * - Once both sides use TCP timestamps, a segment failing PAWS (an older TSval than the last
 *   one its sender had accepted) is left out of the session, as its receiver drops it.
 */
import { tcpChecksumLooksOffloaded, tcpChecksumValid } from '../decode/checksum.js';
import type { DecodedPacket, TcpHeader } from '../types/packet.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../types/packet.js';
import type { TcpConfig } from './config.js';
import type { StreamEventListener } from './events.js';
import { Flow, TCP_CLOSED, TCP_CLOSING, TCP_ESTABLISHED, TCP_NONE, TCP_SYN_RECV, TCP_SYN_SENT } from './flow.js';
import { seqDiff, seqGeq, seqLt } from './seq.js';
import type { StreamStats } from './stats.js';
import { hasFastOpen, TimestampOption } from './tcp-options.js';
import { SEGMENT_DISPLACED, SEGMENT_REFUSED, TcpStream, type TcpReassembler } from './tcp-reassembly.js';

/** RFC 7323's PAWS_IDLE, as Suricata's PAWS_24DAYS: after this long a sender's clock may have wrapped. */
const PAWS_IDLE_SEC = 24 * 24 * 60 * 60;

/** Does a packet with these flags on this flow start a new session on the same tuple? */
export function startsNewSession(flow: Flow, toServer: boolean, tcp: TcpHeader): boolean {
  if ((tcp.flags & (TCP_SYN | TCP_ACK | TCP_RST)) !== TCP_SYN) return false;
  // After FIN/FIN or RST the tuple is free: a client retrying after a RST may even reuse its ISN.
  if (flow.tcpState === TCP_CLOSED) return true;
  // The tuple was first seen from the other side without a handshake (a scan, a stray
  // packet): the side now opening the session is the client.
  return flow.tcpState === TCP_NONE && !toServer;
}

/**
 * A RST counts only at the sequence number where the sender's next byte is due: from the next
 * byte to deliver to just past the highest byte seen (or acknowledged by the peer), plus one
 * for a FIN. Suricata's default (BSD) policy wants the exact next sequence number, Linux any
 * number in the receiver's window; a receiver drops a RST elsewhere, so an observer that
 * believed it would stop reassembling while the real session goes on (a spoofed RST makes the
 * rest of an attack invisible).
 */
function plausibleRst(snd: TcpStream, seq: number): boolean {
  const ahead = seqDiff(seq, snd.base);
  if (ahead < 0) return false;
  let reach = seqDiff(snd.seqAfterData, snd.base);
  if (snd.ackValid) reach = Math.max(reach, seqDiff(snd.ackedByPeer, snd.base));
  return ahead <= reach + 1;
}

/** The direction's FIN was acknowledged by the other side. */
function finAcked(st: TcpStream): boolean {
  return st.finSeen && st.ackValid && seqGeq(st.ackedByPeer, (st.finSeq + 1) >>> 0);
}

/** The sequence number the direction's next segment is expected at (past its FIN, once that came). */
function expectedSeq(st: TcpStream): number {
  return st.finSeen && st.finSeq === st.base ? (st.base + 1) >>> 0 : st.base;
}

/**
 * PAWS (RFC 7323 5.3) as Suricata's StreamTcpValidateTimestamp applies it under the BSD policy
 * (the branch its first and last policies take too, the overlap policies kanshi has): a TSval of
 * 0, or one older than the sender's last accepted (compared modulo 2^32, so the clock may wrap),
 * is refused; so is any TSval after 24 days without an accepted one, unless the segment is the
 * one expected next (the sender's clock may have wrapped meanwhile).
 */
function pawsAccepts(val: number, st: TcpStream, nowSec: number, inOrder: boolean): boolean {
  if (val === 0) return false;
  const idle = nowSec > st.tsLastSec + PAWS_IDLE_SEC;
  if (((val - st.tsLast) | 0) >= 0 && !(idle && st.tsLast !== 0)) return true;
  return inOrder && idle;
}

export class TcpSessionTracker {
  /** The timestamp option of the segment being processed (read only when it matters). */
  private readonly ts = new TimestampOption();

  constructor(
    private readonly config: TcpConfig,
    private readonly stats: StreamStats,
    private readonly reasm: TcpReassembler,
    private readonly events: StreamEventListener,
  ) {}

  packet(flow: Flow, pkt: DecodedPacket, tcp: TcpHeader, toServer: boolean): void {
    const stats = this.stats;
    stats.tcpPackets++;
    const flags = tcp.flags;
    const seq = tcp.seq >>> 0;
    const ack = tcp.ack >>> 0;
    const syn = (flags & TCP_SYN) !== 0;
    const hasAck = (flags & TCP_ACK) !== 0;
    if (flow.client === null || flow.server === null) {
      flow.client = new TcpStream();
      flow.server = new TcpStream();
    }
    const snd = toServer ? flow.client : flow.server;
    const rcv = toServer ? flow.server : flow.client;
    const reasm = this.reasm;
    if (this.config.checksum !== 'none' && !this.checksumAccepted(pkt, snd)) return;
    if (flow.tcpTimestamps && !syn && !this.timestampAccepted(pkt, flow, tcp, snd, seq)) return;

    if ((flags & TCP_RST) !== 0) {
      stats.tcpRst++;
      if (snd.initialized && !plausibleRst(snd, seq)) {
        stats.tcpRstInvalid++;
        this.events.event('stream.rst_invalid', flow);
        return;
      }
      // Data a RST carries reaches the stream first, as in Suricata: a rule must not be evaded by
      // sending the attack on the segment that closes the session.
      if (pkt.payload.length > 0 && snd.initialized) this.routeData(flow, pkt, snd, toServer, seq, pkt.payload);
      flow.tcpState = TCP_CLOSED;
      flow.closeComplete = true;
      reasm.flush(flow, flow.client, true);
      reasm.flush(flow, flow.server, false);
      return;
    }
    if (syn) {
      if (hasAck) stats.tcpSynAck++;
      else stats.tcpSyn++;
    }

    switch (flow.tcpState) {
      case TCP_NONE:
        if (syn && !hasAck) {
          if (toServer) {
            flow.tcpState = TCP_SYN_SENT;
            flow.clientIsn = seq;
            stats.tcpSessions++;
            reasm.init(snd, seq + 1);
            this.noteSynTimestamp(snd, tcp, pkt);
          }
        } else if (syn) {
          if (this.config.midstream) {
            this.pickUp(flow, pkt, tcp, snd, rcv);
            flow.tcpState = TCP_SYN_RECV;
            flow.serverIsn = seq;
            reasm.init(snd, seq + 1);
            reasm.init(rcv, ack);
          }
        } else if (hasAck && this.config.midstream) {
          this.pickUp(flow, pkt, tcp, snd, rcv);
          flow.tcpState = TCP_ESTABLISHED;
          flow.established = true;
          reasm.init(snd, seq);
          reasm.init(rcv, ack);
        }
        break;
      case TCP_SYN_SENT:
        if (syn && !hasAck) {
          if (toServer) {
            if (seq !== flow.clientIsn) {
              flow.clientIsn = seq;
              snd.synData = null;
              reasm.init(snd, seq + 1);
            }
            this.noteSynTimestamp(snd, tcp, pkt);
          } else {
            // Simultaneous open.
            flow.tcpState = TCP_SYN_RECV;
            flow.serverIsn = seq;
            reasm.init(snd, seq + 1);
          }
        } else if (syn) {
          if (!toServer) {
            flow.tcpState = TCP_SYN_RECV;
            flow.serverIsn = seq;
            reasm.init(snd, seq + 1);
            this.noteSynAckTimestamp(flow, tcp, pkt);
          }
        } else if (hasAck && toServer) {
          // The SYN/ACK is missing from the capture; the client's ACK shows the session is up.
          this.establish(flow);
          reasm.init(rcv, ack);
        }
        break;
      case TCP_SYN_RECV:
        if (syn && hasAck && !toServer) {
          if (seq !== flow.serverIsn) {
            flow.serverIsn = seq;
            reasm.init(snd, seq + 1);
          }
        } else if (!syn && hasAck && (toServer || pkt.payload.length > 0)) {
          this.establish(flow);
        }
        break;
      default:
        break;
    }

    if (flow.client.synData !== null && !(syn && !hasAck)) this.settleSynData(flow, syn, toServer, ack);

    if ((flags & TCP_FIN) !== 0) {
      if (toServer) flow.clientFin = true;
      else flow.serverFin = true;
      // The FIN takes the sequence number after the segment's data (and its SYN, if any).
      this.noteFin(snd, (seq + (syn ? 1 : 0) + pkt.payload.length) >>> 0);
      if (flow.tcpState === TCP_ESTABLISHED || flow.tcpState === TCP_CLOSING || flow.tcpState === TCP_SYN_RECV) {
        flow.tcpState = flow.clientFin && flow.serverFin ? TCP_CLOSED : TCP_CLOSING;
      }
    }

    if (hasAck) reasm.noteAck(rcv, ack);
    const payload = pkt.payload;
    if (payload.length > 0 && (flow.tcpState !== TCP_NONE || this.config.midstream)) {
      if (syn) this.synPayload(flow, pkt, tcp, toServer, hasAck, seq, snd);
      else this.routeData(flow, pkt, snd, toServer, seq, payload);
    }
    if (rcv.segs.length > 0) reasm.checkGaps(flow, rcv, !toServer);
    if (snd.segs.length > 0) reasm.checkGaps(flow, snd, toServer);
    if (flow.tcpState === TCP_CLOSED && !flow.closeComplete && finAcked(flow.client) && finAcked(flow.server)) {
      flow.closeComplete = true;
    }
  }

  /** Hands on what the flow still buffers and frees its reassembly memory. */
  finish(flow: Flow): void {
    if (flow.client === null || flow.server === null) return;
    if (flow.client.synData !== null) this.settleSynData(flow, false, true, 0);
    this.reasm.flush(flow, flow.client, true);
    this.reasm.flush(flow, flow.server, false);
    this.reasm.release(flow.client);
    this.reasm.release(flow.server);
  }

  /**
   * A segment's data to its direction's stream. Data beyond a FIN the receiver acknowledged
   * stays out: the receiver discards it (RFC 9293 3.10.7.4) and Suricata does not reassemble it.
   * Suricata adds the segment to its stream all the same, so the rules positioned from a buffer
   * start still see it as a packet. While the FIN is unacknowledged the receiver may never have
   * had it (lost on the way), and then takes the data sent at its sequence number: so do we.
   */
  private routeData(flow: Flow, pkt: DecodedPacket, snd: TcpStream, toServer: boolean, seq: number, payload: Uint8Array): void {
    let data = payload;
    if (finAcked(snd)) {
      const room = seqDiff(snd.finSeq, seq);
      if (room < data.length) {
        this.stats.tcpDataAfterFin++;
        pkt.streamDisplaced = true;
        if (room <= 0) return;
        data = data.subarray(0, room);
      }
    }
    this.noteSegment(pkt, this.reasm.segment(flow, snd, toServer, seq, data));
  }

  /**
   * Data on a SYN or SYN/ACK. A receiver drops it, save a TCP Fast Open SYN's, which the server
   * takes or ignores in its SYN/ACK: that one is held until then (settleSynData), its packet
   * seen by the rules positioned from a buffer start as Suricata sees a segment it adds to its
   * stream. Any other is left out and inspected as a lone packet, as Suricata does.
   */
  private synPayload(flow: Flow, pkt: DecodedPacket, tcp: TcpHeader, toServer: boolean, hasAck: boolean, seq: number, snd: TcpStream): void {
    if (!hasAck && toServer && flow.tcpState === TCP_SYN_SENT && seq === flow.clientIsn && snd.pristine && hasFastOpen(tcp.options)) {
      // A retransmitted SYN repeats the data held from the first.
      snd.synData ??= pkt.payload.slice();
      pkt.streamDisplaced = true;
      return;
    }
    this.stats.tcpSynDataIgnored++;
    pkt.streamRefused = true;
  }

  /**
   * A TCP Fast Open SYN's data, once the server answered. A SYN/ACK acknowledging only the SYN
   * ignored it (the client sends it again after the handshake): it is dropped. One acknowledging
   * it too took it: the session is established at the SYN/ACK, as in Suricata, and the data
   * reaches the stream. A SYN/ACK acknowledging neither leaves it waiting; anything else (the
   * client going on without a SYN/ACK in the capture, the flow's end) hands it on.
   */
  private settleSynData(flow: Flow, synAck: boolean, toServer: boolean, ack: number): void {
    const client = flow.client!;
    const data = client.synData!;
    const first = (flow.clientIsn + 1) >>> 0;
    if (synAck && !toServer) {
      if (ack === first) {
        client.synData = null;
        this.stats.tcpTfoDataIgnored++;
        return;
      }
      if (ack !== ((first + data.length) >>> 0)) return;
      this.establish(flow);
    }
    client.synData = null;
    this.reasm.segment(flow, client, true, first, data);
  }

  /**
   * Where the sender's data ends. A FIN counts only where the receiver takes it: not before the
   * data already delivered (an old or forged one), not out of window; the earliest one taken
   * stands (the receiver discards what follows it).
   */
  private noteFin(snd: TcpStream, at: number): void {
    if (snd.initialized) {
      const d = seqDiff(at, snd.base);
      if (d < 0 || d > this.config.maxSeqAhead) return;
    }
    if (snd.finSeen && !seqLt(at, snd.finSeq)) return;
    snd.finSeq = at;
    snd.finSeen = true;
  }

  /**
   * PAWS on a segment of a session using timestamps. One refused is left out of the session and
   * its stream, and inspected as a lone packet, as Suricata does (stream.pkt_invalid_timestamp).
   * The sender's last TSval moves with each segment accepted at its next sequence number (RFC
   * 7323's TS.Recent); a segment without the option is taken, as Suricata takes it.
   */
  private timestampAccepted(pkt: DecodedPacket, flow: Flow, tcp: TcpHeader, snd: TcpStream, seq: number): boolean {
    const ts = this.ts;
    if (!ts.read(tcp.options)) return true;
    const nowSec = Math.floor(pkt.tsUs / 1e6);
    const inOrder = snd.initialized && seq === expectedSeq(snd);
    if (!pawsAccepts(ts.val, snd, nowSec, inOrder)) {
      this.stats.tcpInvalidTimestamp++;
      this.events.event('stream.pkt_invalid_timestamp', flow);
      pkt.streamRefused = true;
      return false;
    }
    if (inOrder) snd.tsLast = ts.val;
    snd.tsLastSec = nowSec;
    return true;
  }

  /** The client's SYN offers timestamps when it carries the option (its TSval starts PAWS). */
  private noteSynTimestamp(snd: TcpStream, tcp: TcpHeader, pkt: DecodedPacket): void {
    snd.tsOffered = this.ts.read(tcp.options);
    if (!snd.tsOffered) return;
    snd.tsLast = this.ts.val;
    snd.tsLastSec = Math.floor(pkt.tsUs / 1e6);
  }

  /** Timestamps are in use once the SYN/ACK answers a SYN that offered them with the option. */
  private noteSynAckTimestamp(flow: Flow, tcp: TcpHeader, pkt: DecodedPacket): void {
    flow.tcpTimestamps = flow.client!.tsOffered && this.ts.read(tcp.options);
    if (!flow.tcpTimestamps) return;
    flow.server!.tsLast = this.ts.val;
    flow.server!.tsLastSec = Math.floor(pkt.tsUs / 1e6);
  }

  /** Tells detection how to see a segment's data besides the stream (see DecodedPacket). */
  private noteSegment(pkt: DecodedPacket, outcome: number): void {
    if (outcome === SEGMENT_DISPLACED) pkt.streamDisplaced = true;
    else if (outcome === SEGMENT_REFUSED) pkt.streamRefused = true;
  }

  /** Whether the segment may change the session: false for a wrong checksum the receiver drops. */
  private checksumAccepted(pkt: DecodedPacket, snd: TcpStream): boolean {
    const valid = tcpChecksumValid(pkt);
    if (valid !== false) {
      if (valid === true) snd.checksumSeenRight = true;
      return true;
    }
    if (this.config.checksum === 'auto' && (!snd.checksumSeenRight || tcpChecksumLooksOffloaded(pkt))) {
      this.stats.tcpChecksumOffloaded++;
      return true;
    }
    this.stats.tcpInvalidChecksum++;
    pkt.streamRefused = true;
    return false;
  }

  /**
   * A session picked up midstream. The packet's timestamp option, if any, turns PAWS on: its
   * TSval is the sender's latest, its TSecr the other side's (as Suricata's midstream pickups).
   */
  private pickUp(flow: Flow, pkt: DecodedPacket, tcp: TcpHeader, snd: TcpStream, rcv: TcpStream): void {
    flow.midstream = true;
    this.stats.tcpMidstreamPickups++;
    const ts = this.ts;
    if (!ts.read(tcp.options)) return;
    flow.tcpTimestamps = true;
    snd.tsLast = ts.val;
    rcv.tsLast = ts.ecr;
    snd.tsLastSec = rcv.tsLastSec = Math.floor(pkt.tsUs / 1e6);
  }

  private establish(flow: Flow): void {
    flow.tcpState = TCP_ESTABLISHED;
    flow.established = true;
  }
}
