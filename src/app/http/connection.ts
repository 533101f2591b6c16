import type { HttpSide } from '../../types/app.js';
import type { MemoryBudget } from '../accumulator.js';
import { ConnectHold } from './connect-hold.js';
import { HttpReader } from './reader.js';
import type { HttpResponse } from './message.js';
import { HttpTransaction } from './transaction.js';

/** Interim (1xx) responses kept per transaction for inspection; more are only counted. */
const MAX_INTERIM_RESPONSES = 4;

export interface HttpLimits {
  /** Bytes of a request or status line kept and parsed (longer lines are cut, still parsed). */
  maxLineBytes: number;
  /** Bytes of a header block kept and parsed. */
  maxHeaderBytes: number;
  requestBodyLimit: number;
  responseBodyLimit: number;
  /** Bytes a compressed response body may expand to for inspection. */
  decompressLimit: number;
  /** Transactions per flow awaiting a response or emission before the oldest is dropped. */
  maxPendingTransactions: number;
}

export interface HttpStats {
  transactions: number;
  orphanResponses: number;
  interimResponses: number;
  /** Bytes skipped while looking for the next message after garbage or a gap. */
  resyncBytes: number;
  /**
   * Bytes after a protocol switch that are not read: an Upgrade's or a later CONNECT's tunnel,
   * client bytes after a CONNECT past what is held for its answer.
   */
  tunnelBytes: number;
  /** Accepted CONNECTs after which the connection was detected afresh (each direction's next bytes). */
  connectTunnels: number;
  /** Client bytes after an HTTP/0.9 request, which libhtp ignores (no transaction comes of them). */
  afterHttp09Bytes: number;
  /** Transactions dropped because too many were pending on one flow. */
  pendingEvicted: number;
  /** Body bytes seen past the inspection limits (not kept). */
  bodyBytesBeyondLimit: number;
  /** Bytes of lines and header blocks beyond their bounds (not kept). */
  headBytesCut: number;
}

export function newHttpStats(): HttpStats {
  return {
    transactions: 0,
    orphanResponses: 0,
    interimResponses: 0,
    resyncBytes: 0,
    tunnelBytes: 0,
    connectTunnels: 0,
    afterHttp09Bytes: 0,
    pendingEvicted: 0,
    bodyBytesBeyondLimit: 0,
    headBytesCut: 0,
  };
}

export interface HttpContext {
  readonly limits: HttpLimits;
  readonly budget: MemoryBudget;
  readonly stats: HttpStats;
  /** Transactions with each anomaly, by name (see AnomalyList). */
  readonly anomalies?: Record<string, number>;
  emit(tx: HttpTransaction, side: HttpSide): void;
}

/**
 * Both directions of one HTTP flow and the transactions between them: requests queue up
 * (pipelining) and each final response takes the oldest request still without one.
 */
export class HttpConnection {
  private nextId = 0;
  /** Transactions not yet fully handed over, oldest first. */
  private readonly open: HttpTransaction[] = [];
  /** Requests still waiting for their response, oldest first. */
  private readonly awaiting: HttpTransaction[] = [];
  private readonly requests: HttpReader;
  private readonly responses: HttpReader;
  /** Final responses so far (libhtp's completed transactions, orphans included). */
  private finalResponses = 0;
  /** The client's bytes after a CONNECT, while its answer is awaited. */
  private hold: ConnectHold | null = null;
  /** The CONNECT was refused: the held bytes go back to the request side once the response chunk is read. */
  private refused = false;
  /** Held bytes being read again after a refusal (ours: a CONNECT among them may hold their rest by reference). */
  private rereading: Uint8Array | null = null;
  /**
   * An accepted CONNECT answered the connection's first transaction: nothing after it is HTTP's.
   * The caller detects what follows afresh (`takeTunnelStart`, then the rest of the response chunk).
   */
  tunnelOpened = false;

  constructor(readonly ctx: HttpContext) {
    this.requests = new HttpReader(this, true);
    this.responses = new HttpReader(this, false);
  }

  /** Reads a chunk; returns how much of it was HTTP's (all of it unless a tunnel opened there). */
  data(toServer: boolean, chunk: Uint8Array): number {
    if (toServer) return this.requests.feed(chunk);
    const used = this.responses.feed(chunk);
    // Once the response chunk is read, not from inside the response reader: no reader is re-entered.
    if (this.refused) this.resumeRequests(false);
    return used;
  }

  gap(toServer: boolean, length: number): void {
    (toServer ? this.requests : this.responses).gap(length);
  }

  end(): void {
    // Never answered: the held bytes are read as they would have been without waiting.
    if (this.hold !== null) this.resumeRequests(true);
    this.requests.end();
    this.responses.end();
    for (const tx of this.open) {
      this.flushTx(tx);
      this.unretain(tx);
    }
    this.open.length = 0;
    this.awaiting.length = 0;
  }

  newRequestTx(): HttpTransaction {
    const tx = this.newTx();
    this.awaiting.push(tx);
    if (this.awaiting.length > this.ctx.limits.maxPendingTransactions) this.evict(this.awaiting[0]!);
    return tx;
  }

  pairResponse(): HttpTransaction {
    this.finalResponses++;
    const tx = this.awaiting.shift();
    if (tx !== undefined) return tx;
    const orphan = this.newTx();
    orphan.anomalyList.add('http.response_without_request');
    this.ctx.stats.orphanResponses++;
    return orphan;
  }

  /**
   * An interim (1xx) response to the oldest request still waiting for its response: its status
   * line is handed over as a response phase of its own just before the final response (emit),
   * or when the transaction is flushed without one. Handed over then, not now: the request may
   * still be sending its body (Expect: 100-continue), and the request's held alerts, released by
   * any response phase, go out with the final status that way. At most a few per transaction.
   */
  interimResponse(res: HttpResponse): void {
    const tx = this.awaiting[0];
    if (tx === undefined) return;
    res.dropHeaders();
    const list = (tx.interims ??= []);
    if (list.length < MAX_INTERIM_RESPONSES) list.push(res);
  }

  expectsHttp09Response(): boolean {
    const tx = this.awaiting[0];
    return tx !== undefined && tx.request !== null && tx.request.http09;
  }

  startTunnel(): void {
    this.dropHold();
    this.requests.enterTunnel();
    this.responses.enterTunnel();
  }

  /** A CONNECT request is complete: the client's next bytes are held for its answer. */
  holdAfterConnect(): void {
    this.dropHold();
    this.hold = new ConnectHold(this.ctx.budget);
  }

  holdBytes(chunk: Uint8Array, start: number, end: number): void {
    const h = this.hold;
    if (h === null) this.ctx.stats.tunnelBytes += end - start;
    else if (chunk === this.rereading) h.adopt(chunk.subarray(start, end));
    else h.add(chunk, start, end);
  }

  holdGap(): void {
    this.hold?.gap();
  }

  /**
   * A final response to a CONNECT. Accepted (2xx) as the connection's first transaction: the
   * tunnel is handed over, as Suricata 7 asks for a protocol change to "unknown" there
   * (app-layer-htp.c, HTPCallbackResponseComplete: `transaction_cnt == 1`); returns true, the
   * response reader stops. Accepted later (no protocol change in Suricata then): a tunnel left
   * unread. Refused: the held bytes are the client's next requests.
   */
  connectAnswered(accepted: boolean): boolean {
    if (!accepted) {
      this.refused = this.hold !== null;
      return false;
    }
    if (this.finalResponses !== 1) {
      this.startTunnel();
      return false;
    }
    this.tunnelOpened = true;
    this.ctx.stats.connectTunnels++;
    this.requests.enterTunnel();
    return true;
  }

  /**
   * After `tunnelOpened`: the client's bytes held since the CONNECT (the tunnel's first bytes
   * in that direction), and whether bytes after them were dropped.
   */
  takeTunnelStart(): { parts: Uint8Array[]; lost: boolean } {
    const h = this.hold;
    this.hold = null;
    if (h === null) return { parts: [], lost: false };
    this.ctx.stats.tunnelBytes += h.dropped;
    return { parts: h.take(), lost: h.lost };
  }

  private resumeRequests(probe: boolean): void {
    this.refused = false;
    const h = this.hold;
    if (h === null) return;
    this.hold = null;
    this.ctx.stats.tunnelBytes += h.dropped;
    this.requests.resumeAfterConnect(probe);
    for (const part of h.take()) {
      this.rereading = part;
      try {
        this.requests.feed(part);
      } finally {
        this.rereading = null;
      }
    }
    if (h.lost) this.requests.gap(0);
  }

  private dropHold(): void {
    const h = this.hold;
    if (h === null) return;
    this.hold = null;
    this.ctx.stats.tunnelBytes += h.length + h.dropped;
    h.take();
  }

  /** A side of `tx` is ready for inspection: hand phases over in request-then-response order. */
  ready(tx: HttpTransaction, side: HttpSide): void {
    if (side === 'request') {
      tx.requestReady = true;
      if (!tx.requestEmitted) this.emit(tx, 'request');
      if (tx.responseReady && !tx.responseEmitted) this.emit(tx, 'response');
    } else {
      tx.responseReady = true;
      // The server has answered: the request is as complete as inspection will get.
      if (tx.request !== null && !tx.requestEmitted) this.emit(tx, 'request');
      if (!tx.responseEmitted) this.emit(tx, 'response');
    }
    if (tx.responseEmitted && (tx.request === null || tx.requestEmitted)) {
      const i = this.open.indexOf(tx);
      if (i >= 0) this.open.splice(i, 1);
      this.unretain(tx);
    } else if (side === 'request' && tx.retained === 0) {
      this.retain(tx);
    }
  }

  /**
   * A request waiting for its response keeps its head and body alive (rules on the response
   * see the request's buffers too). Those bytes count against the memory budget; when it is
   * exhausted, the oldest waiting requests of this flow are given up first.
   */
  private retain(tx: HttpTransaction): void {
    const req = tx.request;
    if (req === null) return;
    const n = req.head.length + (req.body?.length ?? 0) + 64;
    const budget = this.ctx.budget;
    while (!budget.tryReserve(n)) {
      const oldest = this.awaiting[0];
      if (oldest === undefined || oldest === tx) {
        // Nothing older to give up: this request will not be paired with a response.
        budget.deniedBytes += n;
        this.evict(tx);
        return;
      }
      this.evict(oldest);
    }
    tx.retained = n;
  }

  private unretain(tx: HttpTransaction): void {
    if (tx.retained > 0) {
      this.ctx.budget.release(tx.retained);
      tx.retained = 0;
    }
  }

  /** Stops tracking a transaction early: what it has not handed over yet goes out now. */
  private evict(tx: HttpTransaction): void {
    const j = this.awaiting.indexOf(tx);
    if (j >= 0) this.awaiting.splice(j, 1);
    const i = this.open.indexOf(tx);
    if (i >= 0) this.open.splice(i, 1);
    this.flushTx(tx);
    this.unretain(tx);
    this.ctx.stats.pendingEvicted++;
  }

  private newTx(): HttpTransaction {
    const tx = new HttpTransaction(this.nextId++, this.ctx.limits.decompressLimit, this.ctx.anomalies);
    this.ctx.stats.transactions++;
    this.open.push(tx);
    if (this.open.length > this.ctx.limits.maxPendingTransactions) this.evict(this.evictable());
    return tx;
  }

  /**
   * The oldest transaction that can be given up: not one whose response is still arriving
   * (handing it over now would inspect its body cut short, and its end would go uninspected:
   * a client could hide a response that way behind a burst of requests).
   */
  private evictable(): HttpTransaction {
    for (const t of this.open) if (t.response === null || t.responseReady) return t;
    return this.open[0]!;
  }

  private flushTx(tx: HttpTransaction): void {
    if (tx.request !== null && !tx.requestEmitted) this.emit(tx, 'request');
    if (tx.response !== null && !tx.responseEmitted) this.emit(tx, 'response');
    else this.emitInterims(tx);
  }

  private emit(tx: HttpTransaction, side: HttpSide): void {
    if (side === 'request') tx.requestEmitted = true;
    else {
      this.emitInterims(tx);
      tx.responseEmitted = true;
    }
    tx.side = side;
    this.ctx.emit(tx, side);
  }

  /** The interim responses of a transaction whose request was handed over, each as a response phase. */
  private emitInterims(tx: HttpTransaction): void {
    const list = tx.interims;
    if (list === null) return;
    tx.interims = null;
    for (const res of list) this.ctx.emit(tx.interimView(res), 'response');
  }
}
