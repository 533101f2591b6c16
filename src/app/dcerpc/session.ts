import type { BufferName } from '../../types/buffers.js';
import type { DceRequestView } from '../../types/app.js';
import { ByteAccumulator, type MemoryBudget } from '../accumulator.js';

/**
 * DCE/RPC requests as detection sees them (dce_iface, dce_opnum, dce_stub_data), from the
 * connection-oriented protocol over TCP (DCE 1.1 chapter 12, MSRPC's ncacn_ip_tcp) and the
 * connectionless one over UDP (ncadg_ip_udp).
 *
 * Over TCP each direction is cut into PDUs by their fragment length. Bind and alter-context
 * PDUs from the client bind presentation context ids to interfaces (UUID and version); a bind
 * acknowledgement that rejects a context unbinds it. A request's fragments (first to last, by
 * call id) are joined, and the whole request is handed over with the interface its context id
 * names, its operation number and its stub data in the sender's byte order. A request whose last
 * fragment does not come (its call id restarted by a new first fragment, pushed out by too many
 * open calls, or the connection ended) is handed over with what was joined. Bounds: at most
 * MAX_CONTEXTS contexts and MAX_CALLS requests being joined per connection, stub data up to
 * MAX_STUB bytes (longer ones are handed over cut, and counted). A PDU that is not DCE/RPC ends
 * the parsing of its direction (counted). After a gap (lost bytes) the direction resumes at the
 * next 05 00, where a PDU may start, as Suricata does.
 */

export const MAX_STUB = 256 * 1024;
export const MAX_CALLS = 16;
export const MAX_CONTEXTS = 64;

const CO_HEADER = 16;
const PT_REQUEST = 0;
const PT_BIND = 11;
const PT_BIND_ACK = 12;
const PT_BIND_NAK = 13;
const PT_ALTER_CONTEXT = 14;
const PT_ALTER_CONTEXT_RESP = 15;
const PFC_FIRST_FRAG = 0x01;
const PFC_LAST_FRAG = 0x02;
const PFC_OBJECT_UUID = 0x80;

export interface DcerpcStats {
  requests: number;
  binds: number;
  /** Stub data cut at MAX_STUB. */
  stubsCut: number;
  /** Requests on a context id no bind named (inspected without an interface). */
  unboundRequests: number;
  /** Directions or datagrams that were not DCE/RPC PDUs. */
  malformed: number;
  /** SMB session messages over MAX_SMB_MESSAGE (bulk file writes), skipped unread. */
  smbMessagesSkipped: number;
}

export function newDcerpcStats(): DcerpcStats {
  return { requests: 0, binds: 0, stubsCut: 0, unboundRequests: 0, malformed: 0, smbMessagesSkipped: 0 };
}

export interface DcerpcContext {
  stats: DcerpcStats;
  budget: MemoryBudget;
  emit(request: DceRequest): void;
  /** The next transaction id of the connection, when several readers share it (SMB pipes); else each reader counts its own. */
  nextTx?(): number;
}

/** An interface as a bind names it: its UUID (lower-case text) and version. */
export interface DceInterface {
  uuid: string;
  major: number;
  minor: number;
}

const hex2 = (b: number): string => (b < 16 ? '0' : '') + b.toString(16);

/** The text form of the 16-byte UUID at b[at], its first three fields in the given byte order. */
export function uuidText(b: Uint8Array, at: number, little: boolean): string {
  const f = (i: number, n: number): string => {
    let s = '';
    for (let k = 0; k < n; k++) s += hex2(b[at + (little ? i + n - 1 - k : i + k)]!);
    return s;
  };
  let tail = '';
  for (let k = 8; k < 16; k++) tail += hex2(b[at + k]!) + (k === 9 ? '-' : '');
  return `${f(0, 4)}-${f(4, 2)}-${f(6, 2)}-${tail}`;
}

function u16(b: Uint8Array, at: number, little: boolean): number {
  return little ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
}

function u32(b: Uint8Array, at: number, little: boolean): number {
  return little ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0 : ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

interface PendingCall {
  callId: number;
  contextId: number;
  opnum: number;
  little: boolean;
  /** The first fragment's header (with its object UUID): pkt_data starts with it. */
  head: Uint8Array;
  stub: ByteAccumulator;
  /** Request PDUs (fragments) joined so far. */
  frags: number;
}

class Direction {
  readonly header = new Uint8Array(CO_HEADER);
  headerHave = 0;
  pdu: ByteAccumulator | null = null;
  pduLength = 0;
  stopped = false;
  /** After a gap in the stream: bytes are skipped up to the next 05 00 (a PDU's version), as Suricata does. */
  resync = false;
}

export class DcerpcSession {
  private readonly dirs: [Direction, Direction] = [new Direction(), new Direction()];
  private readonly contexts = new Map<number, DceInterface>();
  /** Context ids of the last bind or alter-context, in order, for its acknowledgement. */
  private proposed: number[] = [];
  private readonly calls: PendingCall[] = [];
  private txCount = 0;

  constructor(private readonly ctx: DcerpcContext) {}

  data(toServer: boolean, chunk: Uint8Array): void {
    const d = this.dirs[toServer ? 0 : 1]!;
    let i = 0;
    while (i < chunk.length && !d.stopped) {
      if (d.resync) {
        // A 05 that ended the last chunk is held as the header's first byte: 00 must follow it.
        if (d.headerHave === 1 && chunk[i] === 0) d.resync = false;
        else {
          d.headerHave = 0;
          let j = i;
          while (j < chunk.length && !(chunk[j] === 5 && (j + 1 === chunk.length || chunk[j + 1] === 0))) j++;
          if (j >= chunk.length) return;
          i = j;
          if (j + 1 === chunk.length) {
            d.header[0] = 5;
            d.headerHave = 1;
            return;
          }
          d.resync = false;
        }
        continue;
      }
      if (d.pdu === null) {
        const take = Math.min(CO_HEADER - d.headerHave, chunk.length - i);
        d.header.set(chunk.subarray(i, i + take), d.headerHave);
        d.headerHave += take;
        i += take;
        if (d.headerHave < CO_HEADER) return;
        d.headerHave = 0;
        const h = d.header;
        const little = (h[4]! & 0x10) !== 0;
        const len = u16(h, 8, little);
        if (h[0] !== 5 || h[1]! > 1 || len < CO_HEADER) {
          this.stop(d);
          return;
        }
        d.pdu = new ByteAccumulator(this.ctx.budget, len);
        d.pduLength = len;
        d.pdu.append(h, 0, CO_HEADER);
      } else {
        const take = Math.min(d.pduLength - d.pdu.length, chunk.length - i);
        if (d.pdu.append(chunk, i, i + take) < take) {
          this.stop(d);
          return;
        }
        i += take;
      }
      if (d.pdu.length === d.pduLength) {
        const pdu = d.pdu.take();
        d.pdu = null;
        this.onPdu(toServer, pdu);
      }
    }
  }

  /** Bytes of a direction were lost: the PDU being gathered is dropped and the next one looked for. */
  gap(toServer: boolean): void {
    const d = this.dirs[toServer ? 0 : 1]!;
    d.pdu?.reset();
    d.pdu = null;
    d.headerHave = 0;
    if (!d.stopped) d.resync = true;
  }

  end(): void {
    for (const d of this.dirs) {
      d.pdu?.reset();
      d.pdu = null;
      d.stopped = true;
    }
    // Requests whose last fragment never came are still inspected, with what was joined (Suricata
    // inspects a request's transaction from its first fragment on).
    while (this.calls.length > 0) this.handOver(this.calls[0]!);
  }

  private stop(d: Direction): void {
    if (!d.stopped) this.ctx.stats.malformed++;
    d.stopped = true;
    d.pdu?.reset();
    d.pdu = null;
  }

  private onPdu(toServer: boolean, pdu: Uint8Array): void {
    const type = pdu[2]!;
    const little = (pdu[4]! & 0x10) !== 0;
    if (toServer && (type === PT_BIND || type === PT_ALTER_CONTEXT)) this.bind(pdu, little);
    else if (!toServer && (type === PT_BIND_ACK || type === PT_ALTER_CONTEXT_RESP)) this.bindAck(pdu, little);
    else if (!toServer && type === PT_BIND_NAK) this.bindNak();
    else if (toServer && type === PT_REQUEST) this.request(pdu, little);
  }

  private bind(pdu: Uint8Array, little: boolean): void {
    this.ctx.stats.binds++;
    if (pdu.length < 28) return;
    const n = pdu[24]!;
    let at = 28;
    this.proposed = [];
    for (let k = 0; k < n && at + 24 <= pdu.length; k++) {
      const id = u16(pdu, at, little);
      const transfers = pdu[at + 2]!;
      const iface: DceInterface = { uuid: uuidText(pdu, at + 4, little), major: u16(pdu, at + 20, little), minor: u16(pdu, at + 22, little) };
      if (this.contexts.has(id) || this.contexts.size < MAX_CONTEXTS) this.contexts.set(id, iface);
      this.proposed.push(id);
      at += 24 + 20 * transfers;
    }
  }

  /** A rejected context (result not 0, "acceptance") is unbound. */
  private bindAck(pdu: Uint8Array, little: boolean): void {
    if (pdu.length < 26) return;
    // The secondary address (a length, then its bytes) comes first, then padding to 4 bytes.
    let at = (26 + u16(pdu, 24, little) + 3) & ~3;
    if (at + 4 > pdu.length) return;
    const n = pdu[at]!;
    at += 4;
    for (let k = 0; k < n && at + 24 <= pdu.length; k++, at += 24) {
      const id = this.proposed[k];
      if (id !== undefined && u16(pdu, at, little) !== 0) this.contexts.delete(id);
    }
    this.proposed = [];
  }

  /** The server refused the whole bind: none of its contexts is bound (Suricata matches acknowledged ones only). */
  private bindNak(): void {
    for (const id of this.proposed) this.contexts.delete(id);
    this.proposed = [];
  }

  private request(pdu: Uint8Array, little: boolean): void {
    if (pdu.length < 24) return;
    const flags = pdu[3]!;
    const callId = u32(pdu, 12, little);
    const authLength = u16(pdu, 10, little);
    const stubStart = 24 + ((flags & PFC_OBJECT_UUID) !== 0 ? 16 : 0);
    // An authentication trailer ends the PDU: padding (its length in the 8-byte sec_trailer), the trailer, the verifier.
    const trailer = authLength > 0 ? pdu.length - authLength - 8 : pdu.length;
    const pad = authLength > 0 && trailer >= stubStart ? pdu[trailer + 2]! : 0;
    const stubEnd = Math.max(stubStart, trailer - pad);
    let call = this.calls.find((c) => c.callId === callId);
    if ((flags & PFC_FIRST_FRAG) !== 0 || call === undefined) {
      // A call restarted, or the oldest of too many: what was joined so far is handed over as it
      // is, not dropped (Suricata has inspected it from its first fragment on), so a first fragment
      // cannot be hidden by restarting its call id or by opening many calls.
      if (call !== undefined) this.handOver(call);
      if (this.calls.length >= MAX_CALLS) this.handOver(this.calls[0]!);
      call = { callId, contextId: u16(pdu, 20, little), opnum: u16(pdu, 22, little), little, head: pdu.slice(0, stubStart), stub: new ByteAccumulator(this.ctx.budget, MAX_STUB), frags: 0 };
      this.calls.push(call);
    }
    call.frags++;
    // What does not fit MAX_STUB (or the budget) is cut, and counted when the request is handed over.
    if (stubEnd > stubStart) call.stub.append(pdu, stubStart, Math.min(stubEnd, pdu.length));
    if ((flags & PFC_LAST_FRAG) === 0) return;
    this.handOver(call);
  }

  /** Hands a request over to detection (its last fragment, or it is given up unfinished) and forgets it. */
  private handOver(call: PendingCall): void {
    this.drop(call);
    const iface = this.contexts.get(call.contextId) ?? null;
    const stats = this.ctx.stats;
    stats.requests++;
    if (iface === null) stats.unboundRequests++;
    if (call.stub.cut > 0) stats.stubsCut++;
    const stub = call.stub.take();
    const id = this.ctx.nextTx !== undefined ? this.ctx.nextTx() : this.txCount++;
    this.ctx.emit(new DceRequest(id, iface, call.opnum, call.little, stub, call.head, { callId: call.callId, frags: call.frags }));
  }

  private drop(call: PendingCall): void {
    const k = this.calls.indexOf(call);
    if (k >= 0) this.calls.splice(k, 1);
  }

}

/**
 * A connectionless (UDP) DCE/RPC request, one datagram: the 80-byte header names the interface
 * and operation itself. Fragments are inspected one by one. Null when the datagram is not one.
 */
export function parseDatagramRequest(b: Uint8Array, id: number): DceRequest | null {
  // Version 4, type request, a data representation of ASCII characters and IEEE floats.
  if (b.length < 80 || b[0] !== 4 || b[1] !== PT_REQUEST || (b[4]! & 0xef) !== 0 || b[5] !== 0 || b[6] !== 0) return null;
  const little = (b[4]! & 0x10) !== 0;
  const bodyLength = u16(b, 74, little);
  if (80 + bodyLength > b.length) return null;
  const ifVersion = u32(b, 60, little);
  const iface: DceInterface = { uuid: uuidText(b, 24, little), major: ifVersion & 0xffff, minor: ifVersion >>> 16 };
  return new DceRequest(id, iface, u16(b, 68, little), little, b.slice(80, 80 + bodyLength), b.slice(0, 80), { callId: null, frags: 1 });
}

/** One request as detection sees it. */
export class DceRequest implements DceRequestView {
  readonly kind = 'dcerpc';
  readonly anomalies: readonly string[] = [];
  private pkt: Uint8Array | null = null;

  constructor(
    readonly id: number,
    /** The interface its context is bound to; null when no bind was seen for it. */
    readonly iface: DceInterface | null,
    readonly opnum: number,
    /** The sender's data representation: integers little-endian. */
    readonly little: boolean,
    private readonly stub: Uint8Array,
    /** The first fragment's header (with its object UUID). */
    private readonly head: Uint8Array,
    /** For EVE: the call id (connection-oriented requests) and the fragments joined. */
    private readonly call: { callId: number | null; frags: number },
  ) {}

  buffer(name: BufferName): Uint8Array | undefined {
    if (name === 'dce_stub_data') return this.stub;
    if (name === 'pkt_data') {
      if (this.pkt === null) {
        this.pkt = new Uint8Array(this.head.length + this.stub.length);
        this.pkt.set(this.head);
        this.pkt.set(this.stub, this.head.length);
      }
      return this.pkt;
    }
    return undefined;
  }

  meta(): Record<string, unknown> {
    // Suricata's fields first (request, req, call_id, rpc_version); `interfaces` is kanshi's, naming the bound interface.
    const req: Record<string, unknown> = { opnum: this.opnum, frag_cnt: this.call.frags, stub_data_size: this.stub.length };
    const out: Record<string, unknown> = { request: 'REQUEST', req };
    if (this.call.callId !== null) out.call_id = this.call.callId;
    out.rpc_version = `${this.head[0] ?? 0}.${this.call.callId !== null ? (this.head[1] ?? 0) : 0}`;
    if (this.iface !== null) out.interfaces = [{ uuid: this.iface.uuid, version: `${this.iface.major}.${this.iface.minor}` }];
    return out;
  }
}
