/**
 * A flow as the stream stage keeps it. Other stages see it only through FlowView.
 * The key is held as numbers (address words, ports) so lookups compare numbers, not strings.
 */
import type { FlowView } from '../types/flow.js';
import type { TcpStream } from './tcp-reassembly.js';

/** TCP session states (a reduced RFC 793 machine: what an observer can tell apart). */
export const TCP_NONE = 0;
export const TCP_SYN_SENT = 1;
export const TCP_SYN_RECV = 2;
export const TCP_ESTABLISHED = 3;
/** One side has sent FIN. */
export const TCP_CLOSING = 4;
/** Both sides sent FIN, or one sent RST. */
export const TCP_CLOSED = 5;

/** Timeout classes: each has its own list (oldest first) and timeout. */
export const CLASS_TCP_NEW = 0;
export const CLASS_TCP_ESTABLISHED = 1;
export const CLASS_TCP_CLOSED = 2;
export const CLASS_UDP_NEW = 3;
export const CLASS_UDP_ESTABLISHED = 4;
export const CLASS_ICMP_NEW = 5;
export const CLASS_ICMP_ESTABLISHED = 6;
export const CLASS_OTHER_NEW = 7;
export const CLASS_OTHER_ESTABLISHED = 8;
export const CLASS_COUNT = 9;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

export class Flow implements FlowView {
  toServer = true;
  established = false;
  midstream = false;
  appProto: string | null = null;
  bits: Set<string> | null = null;
  ints: Map<string, number> | null = null;
  tlsClientVersion = 0;
  tlsServerVersion = 0;
  sslState = 0;
  sslVersions = 0;

  // Key. Client side first: the side that sent the SYN (or the first packet).
  v6 = false;
  proto = 0;
  /** The first two VLAN tags (12 bits each). */
  vlan = 0;
  /** The third VLAN tag and the tunnel layer (see flow-table.ts's scopeKey). */
  scope = 0;
  c0 = 0;
  c1 = 0;
  c2 = 0;
  c3 = 0;
  cPort = 0;
  s0 = 0;
  s1 = 0;
  s2 = 0;
  s3 = 0;
  sPort = 0;
  hash = 0;
  /** Copies of the addresses, for logging. */
  clientIp: Uint8Array = EMPTY;
  serverIp: Uint8Array = EMPTY;

  // Table links: hash bucket chain and the timeout-class list.
  bucketNext: Flow | null = null;
  listPrev: Flow | null = null;
  listNext: Flow | null = null;
  timeoutClass = -1;

  firstSeenUs = 0;
  lastSeenUs = 0;
  pktsToServer = 0;
  pktsToClient = 0;
  bytesToServer = 0;
  bytesToClient = 0;

  // TCP session.
  tcpState = TCP_NONE;
  clientIsn = 0;
  serverIsn = 0;
  clientFin = false;
  serverFin = false;
  /**
   * Both sides use TCP timestamps (the SYN and the SYN/ACK carried them, or the packet a session
   * was picked up at did): PAWS applies to its segments.
   */
  tcpTimestamps = false;
  /**
   * The session is over for good: a RST, or both FINs acknowledged. Nothing the ends send later
   * is expected to carry new data.
   */
  closeComplete = false;
  /**
   * The flow's buffers were freed and the sink told (flowEnd) before the flow left the table:
   * it stays as a small record for late packets until its closed timeout.
   */
  released = false;
  /** Waiting in the engine's list of flows to release before the next packet. */
  releaseQueued = false;
  /** Data the client sent (delivered with toServer = true). */
  client: TcpStream | null = null;
  /** Data the server sent. */
  server: TcpStream | null = null;

  constructor(readonly id: number) {}

  get serverPort(): number {
    return this.sPort;
  }

  /**
   * Sequence space one side of a TCP session has used in order so far, as Suricata's
   * stream_size reads it (next sequence number minus the ISN: the SYN, the data delivered in
   * order, the FIN); -1 before that side's stream is known.
   */
  streamSize(client: boolean): number {
    const st = client ? this.client : this.server;
    if (st === null || !st.initialized) return -1;
    return ((st.base - st.startSeq) >>> 0) + 1 + (st.finSeen ? 1 : 0);
  }

  /** Packets seen both ways. */
  get seenBothWays(): boolean {
    return this.pktsToServer > 0 && this.pktsToClient > 0;
  }
}

const EMPTY = new Uint8Array(0);
