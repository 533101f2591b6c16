import type { HttpSide } from '../../types/app.js';
import type { MemoryBudget } from '../accumulator.js';
import { HttpReader } from './reader.js';
import { HttpTransaction } from './transaction.js';

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
  /** Bytes after a protocol switch (CONNECT, Upgrade) that are not HTTP. */
  tunnelBytes: number;
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

  constructor(readonly ctx: HttpContext) {
    this.requests = new HttpReader(this, true);
    this.responses = new HttpReader(this, false);
  }

  data(toServer: boolean, chunk: Uint8Array): void {
    (toServer ? this.requests : this.responses).feed(chunk);
  }

  gap(toServer: boolean, length: number): void {
    (toServer ? this.requests : this.responses).gap(length);
  }

  end(): void {
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
    const tx = this.awaiting.shift();
    if (tx !== undefined) return tx;
    const orphan = this.newTx();
    orphan.anomalyList.add('http.response_without_request');
    this.ctx.stats.orphanResponses++;
    return orphan;
  }

  expectsHttp09Response(): boolean {
    const tx = this.awaiting[0];
    return tx !== undefined && tx.request !== null && tx.request.http09;
  }

  startTunnel(): void {
    this.requests.enterTunnel();
    this.responses.enterTunnel();
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
  }

  private emit(tx: HttpTransaction, side: HttpSide): void {
    if (side === 'request') tx.requestEmitted = true;
    else tx.responseEmitted = true;
    tx.side = side;
    this.ctx.emit(tx, side);
  }
}
