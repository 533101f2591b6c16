import type { BufferName } from '../../types/buffers.js';
import { BaseLogRecord, type LogFormatName } from '../record.js';
import type { SyslogHeader } from './syslog-header.js';

/**
 * A syslog line: header parts plus the MSG, exposed as `log.message`, `log.program` and
 * `log.hostname`. Firewall, mail and scanner formats that arrive through syslog extend it.
 */
export class SyslogRecord extends BaseLogRecord {
  pri = -1;
  hostStart = -1;
  hostEnd = -1;
  progStart = -1;
  progEnd = -1;
  pidStart = -1;
  pidEnd = -1;
  msgIdStart = -1;
  msgIdEnd = -1;
  sdStart = -1;
  sdEnd = -1;
  msgStart = 0;

  constructor(line: Uint8Array, file: string, lineNo: number, format: LogFormatName, h: SyslogHeader | undefined) {
    super(line, file, lineNo, format);
    if (h) {
      this.pri = h.pri;
      this.hostStart = h.hostStart;
      this.hostEnd = h.hostEnd;
      this.progStart = h.progStart;
      this.progEnd = h.progEnd;
      this.pidStart = h.pidStart;
      this.pidEnd = h.pidEnd;
      this.msgIdStart = h.msgIdStart;
      this.msgIdEnd = h.msgIdEnd;
      this.sdStart = h.sdStart;
      this.sdEnd = h.sdEnd;
      this.msgStart = h.msgStart;
      if (Number.isNaN(h.tsUs)) this.timeKnown = false;
      else this.tsUs = h.tsUs;
    } else {
      this.timeKnown = false;
    }
  }

  protected makeBuffer(name: BufferName): Uint8Array | undefined {
    switch (name) {
      case 'log.message':
        return this.span(this.msgStart, this.line.length);
      case 'log.program':
        return this.progStart >= 0 ? this.span(this.progStart, this.progEnd) : undefined;
      case 'log.hostname':
        return this.hostStart >= 0 ? this.span(this.hostStart, this.hostEnd) : undefined;
      default:
        return undefined;
    }
  }

  protected collectFields(out: Record<string, string>): void {
    this.collectCommon(out);
    if (this.pri >= 0) {
      out.pri = String(this.pri);
      out.facility = String(this.pri >> 3);
      out.severity = String(this.pri & 7);
    }
    if (this.hostStart >= 0) out.hostname = this.text(this.hostStart, this.hostEnd);
    if (this.progStart >= 0) out.program = this.text(this.progStart, this.progEnd);
    if (this.pidStart >= 0) out.pid = this.text(this.pidStart, this.pidEnd);
    if (this.msgIdStart >= 0) out.msgid = this.text(this.msgIdStart, this.msgIdEnd);
    if (this.sdStart >= 0) out.structured_data = this.text(this.sdStart, this.sdEnd);
    out.message = this.text(this.msgStart, this.line.length);
  }

  /** Whether the program name equals one of `names` (ASCII, case-sensitive as daemons log it). */
  programIs(...names: string[]): boolean {
    if (this.progStart < 0) return false;
    const len = this.progEnd - this.progStart;
    outer: for (const n of names) {
      if (n.length !== len) continue;
      for (let k = 0; k < len; k++) if (this.line[this.progStart + k] !== n.charCodeAt(k)) continue outer;
      return true;
    }
    return false;
  }
}
