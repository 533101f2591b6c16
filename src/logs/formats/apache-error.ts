import type { BufferName } from '../../types/buffers.js';
import { indexOfAscii, isSpace, lastIndexOfAscii, latin1, startsWithAscii, sub } from '../bytes.js';
import { parseEndpoint } from '../ip.js';
import type { ParseContext, ParseOutcome } from './context.js';
import { Malformed } from './context.js';
import { SyslogRecord } from './syslog-record.js';
import { scan, scanCtime } from './time-scan.js';

/**
 * Apache httpd error log lines, 2.2 (`[Thu Jul 11 01:21:41 2013] [error] [client 1.2.3.4] msg`)
 * and 2.4 (`[... .453232 2013] [auth_basic:error] [pid 1:tid 2] [client 1.2.3.4:51380] AH01618: msg`),
 * bare or through syslog. The client address is taken from the header brackets only: the
 * message may quote attacker text that looks like another `[client ...]`.
 */
export class ApacheErrorRecord extends SyslogRecord {
  levelStart = -1;
  levelEnd = -1;
  apPidStart = -1;
  apPidEnd = -1;
  clientStart = -1;
  clientEnd = -1;
  codeStart = -1;
  codeEnd = -1;
  refStart = -1;

  protected override makeBuffer(name: BufferName): Uint8Array | undefined {
    if (name === 'http.referer') return this.refStart >= 0 ? sub(this.line, this.refStart, this.line.length) : undefined;
    return super.makeBuffer(name);
  }

  protected override collectFields(out: Record<string, string>): void {
    super.collectFields(out);
    if (this.levelStart >= 0) {
      const lv = this.text(this.levelStart, this.levelEnd);
      const colon = lv.lastIndexOf(':');
      if (colon >= 0) {
        out.module = lv.slice(0, colon);
        out.level = lv.slice(colon + 1);
      } else out.level = lv;
    }
    if (this.apPidStart >= 0) out.pid = this.text(this.apPidStart, this.apPidEnd);
    if (this.clientStart >= 0) out.client = this.text(this.clientStart, this.clientEnd);
    if (this.codeStart >= 0) out.error_code = this.text(this.codeStart, this.codeEnd);
    if (this.refStart >= 0) out.referer = this.text(this.refStart, this.line.length);
  }
}

/** Whether the bytes at i start an Apache error-log header (`[Www Mmm ...]` or `[level]`). */
export function looksLikeApacheError(b: Uint8Array, i: number): boolean {
  if (b[i] !== 0x5b) return false;
  const close = b.indexOf(0x5d, i);
  if (close < 0 || close - i > 64) return false;
  const first = latin1(b, i + 1, close);
  if (/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(\.\d+)? \d{4}$/.test(first)) return true;
  return /^[\w-]*:?(emerg|alert|crit|error|warn|notice|info|debug|trace\d)$/.test(first);
}

/** Fills the Apache-specific parts from b[from, end) (after any syslog header); false when it is not that shape. */
export function fillApacheError(rec: ApacheErrorRecord, from: number, ctx: ParseContext): boolean {
  const b = rec.line;
  const end = b.length;
  let i = from;
  if (b[i] !== 0x5b) return false;
  // Optional ctime in the first bracket.
  const ts = scanCtime(b, i + 1, end, ctx);
  if (!Number.isNaN(ts)) {
    if (b[scan.end] !== 0x5d) return false;
    rec.tsUs = ts;
    rec.timeKnown = true;
    i = scan.end + 1;
  }
  let v24 = false;
  let headerEnd = i;
  // Header brackets: [level] or [module:level], [pid N(:tid N)], [client a(:p)] / [remote a:p].
  for (let guard = 0; guard < 6; guard++) {
    let j = i;
    while (j < end && isSpace(b[j]!)) j++;
    if (b[j] !== 0x5b) break;
    const close = b.indexOf(0x5d, j);
    if (close < 0) break;
    if (startsWithAscii(b, j + 1, 'pid ', close)) {
      rec.apPidStart = j + 5;
      rec.apPidEnd = close;
      v24 = true;
    } else if (startsWithAscii(b, j + 1, 'client ', close) || startsWithAscii(b, j + 1, 'remote ', close)) {
      // "[client [2001:db8::1]:51548]": the address itself may be bracketed.
      let cEnd = close;
      if (b[j + 8] === 0x5b) {
        const inner = b.indexOf(0x5d, j + 9);
        const outer = inner > 0 ? b.indexOf(0x5d, inner + 1) : -1;
        if (outer > 0) cEnd = outer;
      }
      if (rec.clientStart < 0) {
        rec.clientStart = j + 8;
        rec.clientEnd = cEnd;
      }
      headerEnd = cEnd + 1;
      i = cEnd + 1;
      continue;
    } else if (rec.levelStart < 0 && close - j < 40) {
      rec.levelStart = j + 1;
      rec.levelEnd = close;
      if (b.indexOf(0x3a, j) > 0 && b.indexOf(0x3a, j) < close) v24 = true;
    } else break;
    headerEnd = close + 1;
    i = close + 1;
  }
  if (rec.levelStart < 0) return false;
  let m = headerEnd;
  while (m < end && isSpace(b[m]!)) m++;
  rec.msgStart = m;
  // 2.4 can put the client after an errno text: "(13)Permission denied: [client ::1:49934] AH00132: ..."
  if (rec.clientStart < 0) {
    const at = indexOfAscii(b, '[client ', m, Math.min(end, m + 64));
    if (at >= 0) {
      const close = b.indexOf(0x5d, at);
      if (close > 0) {
        rec.clientStart = at + 8;
        rec.clientEnd = close;
      }
    }
  }
  if (rec.clientStart >= 0) {
    const ep = parseEndpoint(b, rec.clientStart, rec.clientEnd, v24);
    if (ep) {
      rec.src = ep.ip;
      if (ep.port >= 0) rec.srcPort = ep.port;
    } else {
      rec.srcHost = latin1(b, rec.clientStart, rec.clientEnd);
    }
  }
  // "AH01630: " error code.
  let c = rec.clientEnd >= m ? rec.clientEnd + 1 : m;
  while (c < end && isSpace(b[c]!)) c++;
  if (b[c] === 0x41 && b[c + 1] === 0x48 && b[c + 7] === 0x3a) {
    rec.codeStart = c;
    rec.codeEnd = c + 7;
  }
  const ref = lastIndexOfAscii(b, ', referer: ', m, end);
  if (ref >= 0) rec.refStart = ref + 11;
  return true;
}

export function parseApacheErrorLine(line: Uint8Array, ctx: ParseContext): ParseOutcome {
  const rec = new ApacheErrorRecord(line, ctx.file, ctx.lineNo, 'apache_error', undefined);
  if (!fillApacheError(rec, 0, ctx)) return new Malformed('not-apache-error');
  return rec;
}
