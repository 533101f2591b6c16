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
 *   stream before it closes). Data after a FIN or RST is still reassembled.
 * - The close is complete (`flow.closeComplete`) at a RST, or once each side's FIN has been
 *   acknowledged by the other (the last ACK): from then on the engine may release the flow's
 *   buffers, as nothing new is expected.
 * - A RST not at the sender's next sequence number is ignored and counted (`stream.rst_invalid`):
 *   the receiver drops it too, so believing it would let a spoofed RST hide the rest of an attack.
 */
import { tcpChecksumLooksOffloaded, tcpChecksumValid } from '../decode/checksum.js';
import type { DecodedPacket, TcpHeader } from '../types/packet.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../types/packet.js';
import type { TcpConfig } from './config.js';
import type { StreamEventListener } from './events.js';
import { Flow, TCP_CLOSED, TCP_CLOSING, TCP_ESTABLISHED, TCP_NONE, TCP_SYN_RECV, TCP_SYN_SENT } from './flow.js';
import { seqDiff, seqGeq } from './seq.js';
import type { StreamStats } from './stats.js';
import { SEGMENT_DISPLACED, SEGMENT_REFUSED, TcpStream, type TcpReassembler } from './tcp-reassembly.js';

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

export class TcpSessionTracker {
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

    if ((flags & TCP_RST) !== 0) {
      stats.tcpRst++;
      if (snd.initialized && !plausibleRst(snd, seq)) {
        stats.tcpRstInvalid++;
        this.events.event('stream.rst_invalid', flow);
        return;
      }
      // Data a RST carries reaches the stream first, as in Suricata: a rule must not be evaded by
      // sending the attack on the segment that closes the session.
      if (pkt.payload.length > 0 && snd.initialized) this.noteSegment(pkt, reasm.segment(flow, snd, toServer, seq, pkt.payload));
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
          }
        } else if (syn) {
          if (this.config.midstream) {
            this.pickUp(flow);
            flow.tcpState = TCP_SYN_RECV;
            flow.serverIsn = seq;
            reasm.init(snd, seq + 1);
            reasm.init(rcv, ack);
          }
        } else if (hasAck && this.config.midstream) {
          this.pickUp(flow);
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
              reasm.init(snd, seq + 1);
            }
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

    if ((flags & TCP_FIN) !== 0) {
      if (toServer) flow.clientFin = true;
      else flow.serverFin = true;
      // The FIN takes the sequence number after the segment's data (and its SYN, if any).
      snd.finSeq = (seq + (syn ? 1 : 0) + pkt.payload.length) >>> 0;
      snd.finSeen = true;
      if (flow.tcpState === TCP_ESTABLISHED || flow.tcpState === TCP_CLOSING || flow.tcpState === TCP_SYN_RECV) {
        flow.tcpState = flow.clientFin && flow.serverFin ? TCP_CLOSED : TCP_CLOSING;
      }
    }

    if (hasAck) reasm.noteAck(rcv, ack);
    const payload = pkt.payload;
    if (payload.length > 0 && (flow.tcpState !== TCP_NONE || this.config.midstream)) {
      this.noteSegment(pkt, reasm.segment(flow, snd, toServer, syn ? (seq + 1) >>> 0 : seq, payload));
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
    this.reasm.flush(flow, flow.client, true);
    this.reasm.flush(flow, flow.server, false);
    this.reasm.release(flow.client);
    this.reasm.release(flow.server);
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

  private pickUp(flow: Flow): void {
    flow.midstream = true;
    this.stats.tcpMidstreamPickups++;
  }

  private establish(flow: Flow): void {
    flow.tcpState = TCP_ESTABLISHED;
    flow.established = true;
  }
}
