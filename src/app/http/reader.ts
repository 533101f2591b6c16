import { ByteAccumulator } from '../accumulator.js';
import { AnomalyList, type HttpAnomaly } from '../anomalies.js';
import { CR, HT, LF, SP, ascii, copyOut, equalsLower, hexValue, isTchar, skipLineSpace } from '../bytes.js';
import type { HttpConnection } from './connection.js';
import { looksLikeRequestStart, readFraming } from './framing.js';
import { H_HOST, LineEnds, fieldValue } from './headers.js';
import { HttpRequest, HttpResponse, hasProtocolAtEnd, looksLikeStatusLine, moreThanBlanks, type HttpMessage } from './message.js';
import { normalizeHostBytes, type HttpTransaction } from './transaction.js';

const S_IDLE = 0;
const S_LINE = 1;
const S_HEADERS = 2;
const S_BODY_LENGTH = 3;
const S_CHUNK_SIZE = 4;
const S_CHUNK_DATA = 5;
const S_CHUNK_END = 6;
const S_TRAILERS = 7;
const S_BODY_UNTIL_CLOSE = 8;
const S_RESYNC = 9;
const S_TUNNEL = 10;
/** After an HTTP/0.9 request: libhtp ignores the rest of the client's data (htp_connp_REQ_IGNORE_DATA_AFTER_HTTP_0_9). */
const S_IGNORE = 11;
/** After a CONNECT request: the client's bytes are held until the answer (libhtp's REQ_CONNECT_WAIT_RESPONSE). */
const S_CONNECT_WAIT = 12;
/** Response side, after the accepted CONNECT that opened a tunnel: the rest of the connection is not HTTP's. */
const S_HANDED_OVER = 13;

const MAX_CHUNK_LINE = 1024;
/** Largest chunk size accepted (2^44): beyond is an overflow attempt, not a real chunk. */
const MAX_CHUNK_SIZE = 0xfffffffffff;
/** Most body room reserved on the word of one chunk-size line. */
const CHUNK_RESERVE_MAX = 64 * 1024;
const TAIL_KEEP = 32;

/**
 * Line ends of the head being taken whole from a chunk: filled and read within one wholeHead()
 * call (the head is parsed before anything is handed to the sink), so one instance serves all.
 */
const WHOLE_HEAD_LINES = new LineEnds();

const HEAD = ascii('head');
const CONNECT = ascii('connect');
/** libhtp compares the byte after a response's non-status line with 'H' exactly. */
const UPPER_H = 0x48;

/**
 * One direction of an HTTP connection: requests (client to server) or responses. A state
 * machine over the reassembled byte stream that never looks back at bytes it was given: what
 * it keeps, it copies (heads and bodies, within bounds).
 */
export class HttpReader {
  state = S_IDLE;
  private readonly head: ByteAccumulator;
  private readonly body: ByteAccumulator;
  // start line
  private lineKept = 0;
  private lineEnd = 0;
  private lineOverflow = false;
  private readonly tail = new Uint8Array(TAIL_KEEP * 2);
  private tailLen = 0;
  // header block
  private headerKept = 0;
  private headerOverflow = false;
  /** 0: inside a line; 1: at a line start; 2: at a line start after a CR. */
  private lineState = 0;
  private headMemcap = false;
  // message in progress
  private msg: HttpMessage | null = null;
  private tx: HttpTransaction | null = null;
  private remaining = 0;
  private bodyTaken = false;
  // chunk-size line
  private chunkPhase = 0;
  private chunkValue = 0;
  private chunkLineLen = 0;
  private chunkInvalid = false;
  private sawCr = false;
  private trailerBytes = 0;
  /** Request side: the line held so far is whitespace before a method not seen yet. */
  private lineUnchecked = false;
  // resync and protocol switches
  private resyncAtLineStart = false;
  /**
   * Response side: lines that are not a status line are being taken as the body of this.msg
   * (libhtp's RES_LINE after htp_treat_response_line_as_body), line by line, until one is a
   * status line or a line ends the chunk it came in.
   */
  private lineBody = false;
  /** After an Upgrade request, or a CONNECT never answered: the next bytes may be another protocol. */
  upgradePending = false;
  /** Anomalies of a head being parsed, before its transaction is known (reused). */
  private readonly scratch = new AnomalyList<HttpAnomaly>();

  constructor(
    private readonly conn: HttpConnection,
    private readonly isRequest: boolean,
  ) {
    const l = conn.ctx.limits;
    this.head = new ByteAccumulator(conn.ctx.budget, l.maxLineBytes + l.maxHeaderBytes);
    this.body = new ByteAccumulator(conn.ctx.budget, isRequest ? l.requestBodyLimit : l.responseBodyLimit);
  }

  /** Reads a chunk; returns how much of it was HTTP's (less only when a tunnel was handed over). */
  feed(chunk: Uint8Array): number {
    let pos = 0;
    const n = chunk.length;
    while (pos < n) {
      switch (this.state) {
        case S_IDLE:
          pos = this.idle(chunk, pos);
          break;
        case S_LINE:
          pos = this.readLine(chunk, pos);
          break;
        case S_HEADERS:
          pos = this.readHeaders(chunk, pos);
          break;
        case S_BODY_LENGTH:
          pos = this.readBodyLength(chunk, pos);
          break;
        case S_CHUNK_SIZE:
          pos = this.readChunkSize(chunk, pos);
          break;
        case S_CHUNK_DATA:
          pos = this.readChunkData(chunk, pos);
          break;
        case S_CHUNK_END:
          pos = this.readChunkEnd(chunk, pos);
          break;
        case S_TRAILERS:
          pos = this.readTrailers(chunk, pos);
          break;
        case S_BODY_UNTIL_CLOSE:
          this.appendBody(chunk, pos, n);
          pos = n;
          break;
        case S_RESYNC:
          pos = this.resync(chunk, pos);
          break;
        case S_IGNORE:
          this.conn.ctx.stats.afterHttp09Bytes += n - pos;
          pos = n;
          break;
        case S_CONNECT_WAIT:
          this.conn.holdBytes(chunk, pos, n);
          pos = n;
          break;
        case S_HANDED_OVER:
          return pos;
        default:
          this.conn.ctx.stats.tunnelBytes += n - pos;
          pos = n;
      }
    }
    return n;
  }

  /** Bytes are missing before the next chunk. `length` is how many, when known (else 0). */
  gap(length: number): void {
    switch (this.state) {
      case S_IDLE:
      case S_RESYNC:
        this.endLineBody('http.gap');
        this.enterResync();
        return;
      case S_LINE:
        this.head.reset();
        this.endLineBody('http.gap');
        this.enterResync();
        return;
      case S_HEADERS:
        this.finishHead('http.gap');
        if (this.msg !== null) this.finishMessage('http.gap');
        this.enterResync();
        return;
      case S_BODY_LENGTH:
        this.addAnomaly('http.gap');
        this.msg!.bodyLength += Math.min(length, this.remaining);
        if (length > 0 && length <= this.remaining) {
          this.remaining -= length;
          if (this.remaining === 0) this.finishMessage(null);
          return;
        }
        this.finishMessage(null);
        this.enterResync();
        return;
      case S_CHUNK_SIZE:
      case S_CHUNK_DATA:
      case S_CHUNK_END:
      case S_TRAILERS:
        this.finishMessage('http.gap');
        this.enterResync();
        return;
      case S_BODY_UNTIL_CLOSE:
        this.addAnomaly('http.gap');
        return;
      case S_CONNECT_WAIT:
        this.conn.holdGap();
        return;
      default:
        return;
    }
  }

  /** The stream ended: whatever is in progress is finished as it stands. */
  end(): void {
    switch (this.state) {
      case S_LINE:
        if (this.lineKept > 0) {
          // The close ends the line (libhtp reads a last line without LF, a response's too).
          this.lineComplete(null, 0);
          if ((this.state as number) === S_HEADERS) {
            this.finishHead('http.message_incomplete');
            if (this.msg !== null) this.finishMessage(null);
          }
        }
        break;
      case S_HEADERS:
        this.finishHead('http.message_incomplete');
        if (this.msg !== null) this.finishMessage(null);
        break;
      case S_BODY_LENGTH:
      case S_CHUNK_SIZE:
      case S_CHUNK_DATA:
      case S_CHUNK_END:
      case S_TRAILERS:
        this.finishMessage('http.message_incomplete');
        break;
      case S_BODY_UNTIL_CLOSE:
        this.finishMessage(null);
        break;
      default:
        break;
    }
    this.endLineBody(null);
    this.head.reset();
    this.body.reset();
    this.state = S_TUNNEL;
  }

  enterTunnel(): void {
    this.endLineBody(null);
    this.head.reset();
    this.body.reset();
    this.state = S_TUNNEL;
  }

  /**
   * Request side, when the CONNECT's answer has come (or never will): reading goes on at the held
   * bytes. `probe`: they may be tunnel data all the same (no answer seen), as after an Upgrade.
   */
  resumeAfterConnect(probe: boolean): void {
    if (this.state !== S_CONNECT_WAIT) return;
    this.state = S_IDLE;
    this.upgradePending = probe;
  }

  // ---- start line ----

  private idle(chunk: Uint8Array, pos: number): number {
    let unchecked = false;
    if (this.isRequest) {
      // Blank lines are skipped; whitespace before the method stays on the request line, whose
      // first other byte decides its turn (maybe in a later chunk: see readLine).
      pos = skipBlankLines(chunk, pos);
      if (pos === chunk.length) return pos;
      const first = skipLineSpace(chunk, pos, chunk.length);
      if (first < chunk.length && this.turnedAway(chunk, first)) return pos;
      unchecked = first === chunk.length;
    } else if (!this.lineBody) {
      // Between body lines every byte counts (blank lines are sorted out line by line).
      pos = skipBlankBytes(chunk, pos);
      if (pos === chunk.length || this.turnedAway(chunk, pos)) return pos;
    }
    const end = unchecked ? -1 : this.wholeHead(chunk, pos);
    if (end >= 0) return end;
    this.state = S_LINE;
    this.lineUnchecked = unchecked;
    this.lineKept = 0;
    this.lineOverflow = false;
    this.tailLen = 0;
    this.headerKept = 0;
    this.headerOverflow = false;
    this.headMemcap = false;
    return pos;
  }

  /**
   * Whether the bytes at chunk[pos] (past blanks) take another turn than a message: a tunnel
   * after CONNECT or Upgrade, a resync after garbage, the body of an HTTP/0.9 response. The
   * state is switched to it.
   */
  private turnedAway(chunk: Uint8Array, pos: number): boolean {
    const b = chunk[pos]!;
    if (this.isRequest) {
      if (this.upgradePending) {
        this.upgradePending = false;
        if (!looksLikeRequestStart(chunk, pos, true)) {
          this.conn.startTunnel();
          return true;
        }
      }
      if (!isTchar(b)) {
        this.enterResync();
        this.resyncAtLineStart = false;
        return true;
      }
    } else if ((b | 0x20) !== 0x68 && this.conn.expectsHttp09Response()) {
      this.startHttp09Response();
      return true;
    }
    return false;
  }

  private readLine(chunk: Uint8Array, pos: number): number {
    if (this.lineUnchecked && this.checkLineStart(chunk, pos)) return pos;
    const nl = chunk.indexOf(LF, pos);
    const end = nl < 0 ? chunk.length : nl + 1;
    this.appendLine(chunk, pos, end);
    if (nl < 0) return end;
    this.lineComplete(chunk, end);
    return end;
  }

  /**
   * A request line held so far is whitespace only: its first other byte, once here, decides
   * whether it is a request at all (turnedAway). True when it is not: the whitespace is dropped
   * and the state switched.
   */
  private checkLineStart(chunk: Uint8Array, pos: number): boolean {
    const first = skipLineSpace(chunk, pos, chunk.length);
    if (first === chunk.length || chunk[first] === LF) return false; // still blank, or a blank line
    this.lineUnchecked = false;
    if (!this.turnedAway(chunk, first)) return false;
    this.conn.ctx.stats.resyncBytes += this.lineKept;
    this.head.reset();
    return true;
  }

  private appendLine(chunk: Uint8Array, pos: number, end: number): void {
    const room = this.conn.ctx.limits.maxLineBytes - this.lineKept;
    if (room > 0 && !this.lineOverflow) {
      const want = Math.min(room, end - pos);
      const kept = this.head.append(chunk, pos, pos + want);
      this.lineKept += kept;
      if (kept < want) this.headMemcap = true;
      pos += kept;
    }
    if (pos < end) {
      if (!this.lineOverflow) {
        this.lineOverflow = true;
        // The protocol token may straddle the cut: seed the tail with the end of what was kept.
        const kept = this.head.view();
        const from = Math.max(0, kept.length - TAIL_KEEP);
        this.tail.set(kept.subarray(from), 0);
        this.tailLen = kept.length - from;
      }
      this.conn.ctx.stats.headBytesCut += end - pos;
      this.pushTail(chunk, pos, end);
    }
  }

  private pushTail(src: Uint8Array, start: number, end: number): void {
    if (end - start >= TAIL_KEEP) {
      this.tail.set(src.subarray(end - TAIL_KEEP, end), 0);
      this.tailLen = TAIL_KEEP;
      return;
    }
    if (this.tailLen + (end - start) > this.tail.length) {
      const keep = TAIL_KEEP - (end - start);
      this.tail.copyWithin(0, this.tailLen - keep, this.tailLen);
      this.tailLen = keep;
    }
    this.tail.set(src.subarray(start, end), this.tailLen);
    this.tailLen += end - start;
  }

  /**
   * The start line is in; decide whether headers follow. `chunk` is the chunk the line ended in
   * and `next` the offset after it there (null at the close): libhtp decides on what follows
   * in that chunk.
   */
  private lineComplete(chunk: Uint8Array | null, next: number): void {
    let e = this.lineKept;
    if (!this.lineOverflow) {
      if (e > 0 && this.head.byteAt(e - 1) === LF) e--;
      if (e > 0 && this.head.byteAt(e - 1) === CR) e--;
    }
    this.lineEnd = e;
    if (this.lineUnchecked) {
      // Whitespace only: a blank line before the request, skipped as idle() skips one.
      this.lineUnchecked = false;
      this.head.reset();
      this.state = S_IDLE;
      return;
    }
    if (this.isRequest) {
      const hasProtocol = this.lineOverflow ? hasProtocolAtEnd(this.tail, 0, this.tailLen) : hasProtocolAtEnd(this.head.view(), 0, this.lineEnd);
      if (!hasProtocol && (chunk === null || !moreThanBlanks(chunk, next))) {
        // HTTP/0.9: the request is this one line.
        this.finishHead(null, true);
        this.afterHead();
        return;
      }
    } else if (!looksLikeStatusLine(this.head.view(), 0, e)) {
      const line = this.head.take();
      this.state = S_IDLE; // the line is done with, whatever becomes of it
      this.notStatusLine(line, 0, line.length, e, chunk, next);
      return;
    }
    this.state = S_HEADERS;
    this.lineState = 1;
  }

  // ---- header block ----

  private readHeaders(chunk: Uint8Array, pos: number): number {
    const n = chunk.length;
    const end = this.scanBlankLine(chunk, pos);
    const stop = end < 0 ? n : end;
    const room = this.conn.ctx.limits.maxHeaderBytes - this.headerKept;
    const want = Math.min(Math.max(room, 0), stop - pos);
    if (want > 0) {
      const kept = this.head.append(chunk, pos, pos + want);
      this.headerKept += kept;
      if (kept < want) this.headMemcap = true;
    }
    if (want < stop - pos) {
      this.headerOverflow = true;
      this.conn.ctx.stats.headBytesCut += stop - pos - want;
    }
    if (end >= 0) {
      this.finishHead(null);
      this.afterHead();
    }
    return stop;
  }

  /**
   * Index just past the blank line ending a block, or -1 (line position kept in lineState).
   * With `record`, the LF ending each other line is noted there too (as far as it has room).
   */
  private scanBlankLine(chunk: Uint8Array, pos: number, record: LineEnds | null = null): number {
    const n = chunk.length;
    let i = pos;
    while (i < n) {
      if (this.lineState !== 0) {
        const b = chunk[i]!;
        if (b === LF) return i + 1;
        if (b === CR && this.lineState === 1) {
          this.lineState = 2;
          i++;
          continue;
        }
        this.lineState = 0;
      }
      const nl = chunk.indexOf(LF, i);
      if (nl < 0) return -1;
      if (record !== null && record.count < LineEnds.MAX) record.at[record.count++] = nl;
      i = nl + 1;
      this.lineState = 1;
    }
    return -1;
  }

  /**
   * Turns the collected head into a message (and, for requests, a transaction). `lineOnly`: the
   * head is a request line with nothing after it (HTTP/0.9 when it has no protocol).
   */
  private finishHead(anomaly: HttpAnomaly | null, lineOnly = false): void {
    const head = this.head.take();
    const lineEnd = Math.min(this.lineEnd, head.length);
    const headersStart = Math.min(this.lineKept, head.length);
    const tail = this.lineOverflow ? this.tail.slice(0, this.tailLen) : null;
    this.buildMessage(head, lineEnd, headersStart, tail, anomaly, null, lineOnly);
  }

  /**
   * Turns a head (start line + header block) into a message and, for requests and final
   * responses, attaches it to its transaction. Interim (1xx) responses go to the connection,
   * to be inspected before the final one.
   */
  private buildMessage(
    head: Uint8Array,
    lineEnd: number,
    headersStart: number,
    tail: Uint8Array | null,
    anomaly: HttpAnomaly | null,
    lineEnds: LineEnds | null = null,
    lineOnly = false,
  ): void {
    const anomalies = this.scratch;
    anomalies.items.length = 0;
    if (anomaly !== null) anomalies.add(anomaly);
    if (this.headerOverflow) anomalies.add('http.header_too_long');
    if (this.headMemcap) anomalies.add('http.memcap');
    // A response whose first lines were taken as body: libhtp reads the status line into the
    // same transaction, the body so far kept. Unless that body was already handed over (it
    // reached the limit): then the status line starts a response of its own.
    if (this.lineBody && this.bodyTaken) this.finishMessage(null);
    const bodyLinesMsg = this.lineBody ? this.msg : null;
    const bodyLinesTx = this.lineBody ? this.tx : null;
    this.msg = null;
    this.tx = null;
    this.state = S_IDLE;
    if (this.isRequest) {
      const req = new HttpRequest();
      req.head = head;
      req.lineEnd = lineEnd;
      req.parseLine(anomalies, tail, lineOnly);
      req.setHead(head, lineEnd, headersStart, anomalies, lineEnds);
      const tx = this.conn.newRequestTx();
      tx.request = req;
      for (const a of anomalies.items) tx.anomalyList.add(a);
      this.checkHost(tx, req);
      this.msg = req;
      this.tx = tx;
    } else {
      const res = new HttpResponse();
      res.head = head;
      res.lineEnd = lineEnd;
      res.parseLine(anomalies, tail !== null);
      res.setHead(head, lineEnd, headersStart, anomalies, lineEnds);
      if (res.status >= 100 && res.status < 200 && res.status !== 101) {
        // 100 Continue and friends: the final response for the same request follows. Its status
        // line is inspected first (http.stat_code "100", as libhtp shows it until then); one
        // among body lines stays out of it, their response still open.
        this.conn.ctx.stats.interimResponses++;
        if (bodyLinesTx === null) this.conn.interimResponse(res);
        this.msg = bodyLinesMsg;
        this.tx = bodyLinesTx;
        return;
      }
      this.lineBody = false;
      const tx = bodyLinesTx ?? this.conn.pairResponse();
      if (bodyLinesMsg !== null) res.bodyLength = bodyLinesMsg.bodyLength;
      tx.response = res;
      for (const a of anomalies.items) tx.anomalyList.add(a);
      this.msg = res;
      this.tx = tx;
    }
  }

  /**
   * The common case: the whole head sits in this chunk and within bounds. One copy of it, no
   * accumulation. Returns the offset after the head, or -1 to take the general path.
   */
  private wholeHead(chunk: Uint8Array, pos: number): number {
    const limits = this.conn.ctx.limits;
    const nl = chunk.indexOf(LF, pos);
    if (nl < 0 || nl + 1 - pos > limits.maxLineBytes) return -1;
    let e = nl;
    if (e > pos && chunk[e - 1] === CR) e--;
    let headEnd: number;
    const lineEnds = WHOLE_HEAD_LINES;
    lineEnds.count = 0;
    lineEnds.shift = pos; // the head is copied from chunk[pos..]
    // libhtp (htp_connp_REQ_PROTOCOL): a request line without a protocol is HTTP/0.9 only when
    // nothing but blanks follows in its chunk; else it is "missing protocol" and headers follow.
    const lineOnly = this.isRequest && !hasProtocolAtEnd(chunk, pos, e) && !moreThanBlanks(chunk, nl + 1);
    if (lineOnly) {
      headEnd = nl + 1;
    } else {
      if (!this.isRequest && !looksLikeStatusLine(chunk, pos, e)) {
        this.notStatusLine(chunk, pos, nl + 1, e - pos, chunk, nl + 1);
        return nl + 1;
      }
      this.lineState = 1;
      headEnd = this.scanBlankLine(chunk, nl + 1, lineEnds);
      if (headEnd < 0 || headEnd - (nl + 1) > limits.maxHeaderBytes) return -1;
    }
    this.lineOverflow = false;
    this.headerOverflow = false;
    this.headMemcap = false;
    this.buildMessage(copyOut(chunk, pos, headEnd), e - pos, nl + 1 - pos, null, null, lineEnds, lineOnly);
    this.afterHead();
    return headEnd;
  }

  /** After a head: an HTTP/0.9 request is complete, anything else goes on to its body. */
  private afterHead(): void {
    const msg = this.msg;
    if (msg === null) return;
    // An interim (1xx) response after body lines: that response is still read line by line,
    // its body not delimited by any header (else every later response would become its body).
    if (!this.isRequest && this.lineBody) return;
    if (!this.isRequest || !(msg as HttpRequest).http09) {
      this.startBody();
      return;
    }
    this.finishMessage(null);
    // libhtp ignores all the client sends after an HTTP/0.9 request: a request line there
    // makes no transaction (htp_connp_REQ_IGNORE_DATA_AFTER_HTTP_0_9).
    this.state = S_IGNORE;
  }

  // ---- response lines that are not status lines ----

  /**
   * A response line that is not a status line, src[start..end) with its line end (`chomped`
   * bytes without), as libhtp 0.5.44+ reads it (htp_connp_RES_LINE): skipped when more than one
   * byte follows in the chunk and that byte is 'H' (the status line may come next) or the line
   * is at most 2 bytes long; else it is response body, of a response with no status line and no
   * headers, whose next lines are read the same way. A body line that ends its chunk ends the
   * response (libhtp finalises it there). `chunk`/`next`: what follows the line (null at close).
   */
  private notStatusLine(src: Uint8Array, start: number, end: number, chomped: number, chunk: Uint8Array | null, next: number): void {
    const stats = this.conn.ctx.stats;
    const left = chunk === null ? 0 : chunk.length - next;
    if (this.lineBody && isIgnorableLine(src, start, end)) {
      stats.resyncBytes += end - start; // blank lines between body lines are dropped
      return;
    }
    // libhtp (RES_FINALIZE) adds such lines to the body of a response that ended earlier in
    // the same chunk. That one has been handed over here, so they open a response of their
    // own instead: their bytes are inspected as response body either way, never dropped.
    if (left > 1 && (chunk![next] === UPPER_H || chomped <= 2)) {
      stats.resyncBytes += end - start;
      return;
    }
    if (!this.lineBody) this.startLineBody();
    this.appendBody(src, start, end);
    if (left === 0 && this.lineBody) this.finishMessage(null);
  }

  /** A response read from lines that are not a status line: no line, no headers, a body. */
  private startLineBody(): void {
    this.openBareResponse().anomalyList.add('http.status_invalid');
    this.lineBody = true;
    this.state = S_IDLE;
  }

  /** A response with no status line and no headers, paired with the next request; returns its transaction. */
  private openBareResponse(): HttpTransaction {
    const res = new HttpResponse();
    const tx = this.conn.pairResponse();
    tx.response = res;
    this.msg = res;
    this.tx = tx;
    this.bodyTaken = false;
    return tx;
  }

  /** Ends a response read from body lines, if one is open (a gap, the close, a tunnel). */
  private endLineBody(anomaly: HttpAnomaly | null): void {
    if (this.lineBody) this.finishMessage(anomaly);
  }

  private checkHost(tx: HttpTransaction, req: HttpRequest): void {
    let hosts = 0;
    for (const f of req.fields) if (f.id === H_HOST) hosts++;
    if (hosts > 1) tx.anomalyList.add('http.host_duplicate');
    const uriHost = tx.uriAuthorityHost();
    if (hosts === 0 && uriHost === undefined && req.protocol !== null && req.protocol[7] === 0x31 && req.protocol[5] === 0x31) {
      tx.anomalyList.add('http.host_missing');
    }
    if (uriHost !== undefined && hosts > 0) {
      const a = normalizeHostBytes(uriHost);
      const h = fieldValue(req.head, req.fields.find((f) => f.id === H_HOST)!);
      const b = normalizeHostBytes(h);
      if (a.length !== b.length || a.some((x, i) => x !== b[i])) tx.anomalyList.add('http.host_mismatch');
    }
  }

  // ---- body ----

  /** Decides how the body is framed (RFC 7230 3.3.3) and enters the matching state. */
  private startBody(): void {
    const msg = this.msg!;
    const tx = this.tx!;
    const framing = readFraming(msg.head, msg.fields, tx.anomalyList, this.isRequest);
    msg.encoding = framing.encoding;
    this.bodyTaken = false;
    if (this.isRequest) {
      const req = msg as HttpRequest;
      if (equalsLower(req.method, 0, req.method.length, CONNECT)) {
        // No body, whatever the headers say: what follows waits for the answer (libhtp's
        // REQ_CONNECT_CHECK comes before the body is looked for).
        this.finishMessage(null);
        this.state = S_CONNECT_WAIT;
        this.conn.holdAfterConnect();
        return;
      }
      if (framing.upgrade) this.upgradePending = true;
      if (framing.chunked) this.enterChunked();
      else if (framing.length > 0) this.enterLength(framing.length);
      else this.finishMessage(null);
      return;
    }
    const res = msg as HttpResponse;
    const method = tx.request?.method;
    const status = res.status;
    // A 101 leaves a tunnel unread: Suricata 7 changes protocol only for h2c, to HTTP/2 (not parsed here).
    if (status === 101) {
      this.finishMessage(null);
      this.conn.startTunnel();
      return;
    }
    if (method !== undefined && equalsLower(method, 0, method.length, CONNECT)) {
      if (status >= 200 && status < 300) {
        // A tunnel from the end of this head on (RFC 7230 3.3.3): no body, whatever the headers say.
        this.finishMessage(null);
        if (this.conn.connectAnswered(true)) this.state = S_HANDED_OVER;
        return;
      }
      this.conn.connectAnswered(false);
    }
    if ((method !== undefined && equalsLower(method, 0, method.length, HEAD)) || status === 204 || status === 304) {
      this.finishMessage(null);
      return;
    }
    if (framing.chunked) this.enterChunked();
    else if (framing.length >= 0) {
      if (framing.length > 0) this.enterLength(framing.length);
      else this.finishMessage(null);
    } else this.state = S_BODY_UNTIL_CLOSE;
  }

  private enterLength(length: number): void {
    this.remaining = length;
    this.state = S_BODY_LENGTH;
  }

  private enterChunked(): void {
    this.state = S_CHUNK_SIZE;
    this.resetChunkLine();
  }

  private readBodyLength(chunk: Uint8Array, pos: number): number {
    const k = Math.min(this.remaining, chunk.length - pos);
    if (k === this.remaining && !this.bodyTaken && this.body.length === 0 && k <= this.body.limit) {
      // The whole body is here: one exact copy, no accumulation.
      const msg = this.msg!;
      msg.body = copyOut(chunk, pos, pos + k);
      msg.bodyLength += k;
      this.bodyTaken = true;
      this.remaining = 0;
      this.finishMessage(null);
      return pos + k;
    }
    if (this.body.length === 0 && !this.bodyTaken) this.body.reserve(this.remaining);
    this.appendBody(chunk, pos, pos + k);
    this.remaining -= k;
    if (this.remaining === 0) this.finishMessage(null);
    return pos + k;
  }

  private appendBody(chunk: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    const msg = this.msg!;
    msg.bodyLength += end - start;
    if (this.bodyTaken) {
      msg.bodyTruncated = true;
      this.conn.ctx.stats.bodyBytesBeyondLimit += end - start;
      return;
    }
    const kept = this.body.append(chunk, start, end);
    if (kept < end - start) {
      this.conn.ctx.stats.bodyBytesBeyondLimit += end - start - kept;
      msg.bodyTruncated = true;
      if (this.body.budgetCut) this.tx!.anomalyList.add('http.memcap');
    }
    if (this.body.full) {
      // Inspection limit reached: hand the message over now, keep counting the rest.
      msg.body = this.body.take();
      this.bodyTaken = true;
      this.conn.ready(this.tx!, this.isRequest ? 'request' : 'response');
    }
  }

  private readChunkSize(chunk: Uint8Array, pos: number): number {
    const n = chunk.length;
    while (pos < n) {
      const b = chunk[pos++]!;
      if (++this.chunkLineLen > MAX_CHUNK_LINE) {
        this.finishMessage('http.chunk_line_too_long');
        this.enterResync();
        this.resyncAtLineStart = false;
        return pos;
      }
      if (b === LF) {
        if (this.chunkPhase === 0) continue; // blank line before the size: tolerated
        if (this.chunkInvalid) {
          this.finishMessage('http.chunk_size_invalid');
          this.enterResync();
          return pos;
        }
        if (this.chunkValue === 0) {
          this.state = S_TRAILERS;
          this.lineState = 1;
          this.trailerBytes = 0;
        } else {
          this.remaining = this.chunkValue;
          this.state = S_CHUNK_DATA;
          // Room for the chunk up front, instead of doubling from a small buffer segment by
          // segment (each step a new block and a copy). Bounded, so that a chunk-size line
          // alone claims little: the Content-Length path reserves its whole body the same way.
          if (!this.bodyTaken) this.body.reserve(this.body.length + Math.min(this.chunkValue, CHUNK_RESERVE_MAX));
        }
        this.resetChunkLine();
        return pos;
      }
      if (this.chunkPhase === 0) {
        if (b === SP || b === HT || b === CR) continue;
        const h = hexValue(b);
        if (h < 0 && !this.isRequest) {
          // A response announced as chunked whose body is not: libhtp reads it as sent, up to
          // the connection's close (Response chunk encoding: Invalid chunk length), so what
          // the server actually sent is inspected rather than dropped.
          this.addAnomaly('http.chunk_size_invalid');
          this.state = S_BODY_UNTIL_CLOSE;
          return pos - 1;
        }
        if (h < 0) {
          this.chunkInvalid = true;
          this.chunkPhase = 2;
        } else {
          this.chunkPhase = 1;
          this.chunkValue = h;
        }
      } else if (this.chunkPhase === 1) {
        const h = hexValue(b);
        if (h >= 0) {
          const next = this.chunkValue * 16 + h;
          if (next > MAX_CHUNK_SIZE) this.chunkInvalid = true;
          else this.chunkValue = next;
        } else {
          this.chunkPhase = 2; // extension, whitespace or CR up to LF
        }
      }
    }
    return pos;
  }

  private resetChunkLine(): void {
    this.chunkPhase = 0;
    this.chunkValue = 0;
    this.chunkLineLen = 0;
    this.chunkInvalid = false;
  }

  private readChunkData(chunk: Uint8Array, pos: number): number {
    const k = Math.min(this.remaining, chunk.length - pos);
    this.appendBody(chunk, pos, pos + k);
    this.remaining -= k;
    if (this.remaining === 0) {
      this.state = S_CHUNK_END;
      this.sawCr = false;
    }
    return pos + k;
  }

  /**
   * After a chunk's data: its CRLF. Anything else before the LF is skipped, as libhtp does
   * (htp_connp_*_BODY_CHUNKED_DATA_END): reading a stray hex digit there as the next chunk size
   * would let it swallow the request or response after it. A line longer than a chunk-size line
   * may be ends the message, as a too-long size line does.
   */
  private readChunkEnd(chunk: Uint8Array, pos: number): number {
    const b = chunk[pos]!;
    if (b === CR && !this.sawCr && this.chunkLineLen === 0) {
      this.sawCr = true;
      return pos + 1;
    }
    if (b === LF) {
      this.state = S_CHUNK_SIZE;
      this.resetChunkLine();
      return pos + 1;
    }
    if (this.chunkLineLen === 0) this.addAnomaly('http.chunk_data_no_crlf');
    const lf = chunk.indexOf(LF, pos);
    const stop = lf < 0 ? chunk.length : lf;
    this.chunkLineLen += stop - pos;
    if (this.chunkLineLen > MAX_CHUNK_LINE) {
      this.finishMessage('http.chunk_line_too_long');
      return stop;
    }
    return stop;
  }

  private readTrailers(chunk: Uint8Array, pos: number): number {
    const end = this.scanBlankLine(chunk, pos);
    const stop = end < 0 ? chunk.length : end;
    this.trailerBytes += stop - pos;
    if (this.trailerBytes > this.conn.ctx.limits.maxHeaderBytes) this.addAnomaly('http.header_too_long');
    if (end >= 0) this.finishMessage(null);
    return stop;
  }

  private startHttp09Response(): void {
    this.openBareResponse();
    this.state = S_BODY_UNTIL_CLOSE;
  }

  /** The current message is over (complete, or cut short with `anomaly`). */
  private finishMessage(anomaly: HttpAnomaly | null): void {
    const msg = this.msg;
    const tx = this.tx;
    this.msg = null;
    this.tx = null;
    this.state = S_IDLE;
    this.lineBody = false;
    if (msg === null || tx === null) return;
    if (anomaly !== null) tx.anomalyList.add(anomaly);
    else msg.complete = true;
    if (!this.bodyTaken) {
      const body = this.body.take();
      msg.body = body.length > 0 ? body : null;
    }
    this.bodyTaken = false;
    this.conn.ready(tx, this.isRequest ? 'request' : 'response');
  }

  private addAnomaly(name: HttpAnomaly): void {
    this.tx?.anomalyList.add(name);
  }

  // ---- recovery ----

  private enterResync(): void {
    this.state = S_RESYNC;
    this.resyncAtLineStart = true;
  }

  /** Skips to the next line that starts like a message of this direction. */
  private resync(chunk: Uint8Array, pos: number): number {
    const n = chunk.length;
    while (pos < n) {
      const nl = chunk.indexOf(LF, pos);
      if (this.resyncAtLineStart) {
        // Each line is judged by itself (a run of blank lines must not be rescanned per line).
        const ok = this.isRequest ? looksLikeRequestStart(chunk, pos, false) : looksLikeStatusLine(chunk, pos, nl < 0 ? n : nl);
        if (ok) {
          this.state = S_IDLE;
          return pos;
        }
      }
      if (nl < 0) {
        this.conn.ctx.stats.resyncBytes += n - pos;
        this.resyncAtLineStart = false;
        return n;
      }
      this.conn.ctx.stats.resyncBytes += nl + 1 - pos;
      pos = nl + 1;
      this.resyncAtLineStart = true;
    }
    return pos;
  }
}

/**
 * libhtp's ignorable line (htp_connp_is_line_ignorable): "\n", "\r\n", or one SP or HT then
 * "\n"; src[start..end) is the line with its end.
 */
function isIgnorableLine(src: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n === 1) return src[start] === LF;
  return n === 2 && src[start + 1] === LF && (src[start] === CR || src[start] === SP || src[start] === HT);
}

/**
 * Request side: the offset after the blank lines at chunk[pos..] (lines of nothing but
 * htp_is_space bytes), where the next line starts, its leading whitespace included.
 */
function skipBlankLines(chunk: Uint8Array, pos: number): number {
  for (;;) {
    const first = skipLineSpace(chunk, pos, chunk.length);
    if (first === chunk.length || chunk[first] !== LF) return pos;
    pos = first + 1;
  }
}

/** Offset of the first byte at or after `pos` that is not CR, LF, SP or HT (blank lines before a message). */
function skipBlankBytes(chunk: Uint8Array, pos: number): number {
  const n = chunk.length;
  while (pos < n) {
    const b = chunk[pos]!;
    if (b !== CR && b !== LF && b !== SP && b !== HT) break;
    pos++;
  }
  return pos;
}
