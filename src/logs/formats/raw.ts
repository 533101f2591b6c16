import type { BufferName } from '../../types/buffers.js';
import { skipSpaces } from '../bytes.js';
import { BaseLogRecord } from '../record.js';
import type { LogFormatModule, ParseContext } from './context.js';
import { scan, scanAnyTime } from './time-scan.js';

/**
 * Any other text line: a leading timestamp is read when it has a known shape, the rest is
 * `log.message`. Also the fallback record for lines that failed their format's parser, so
 * content rules still see every byte an attacker managed to get into a log.
 */
export class RawRecord extends BaseLogRecord {
  msgStart = 0;
  /** Why the line's own format rejected it, for fallback records. */
  malformed: string | undefined = undefined;

  protected makeBuffer(name: BufferName): Uint8Array | undefined {
    return name === 'log.message' ? this.line.subarray(this.msgStart) : undefined;
  }

  protected collectFields(out: Record<string, string>): void {
    out.message = this.text(this.msgStart, this.line.length);
    if (this.malformed !== undefined) out.malformed = this.malformed;
  }
}

export function parseRaw(line: Uint8Array, ctx: ParseContext): RawRecord {
  const rec = new RawRecord(line, ctx.file, ctx.lineNo, 'raw');
  const i = skipSpaces(line, 0, line.length);
  const ts = scanAnyTime(line, i, line.length, ctx);
  if (Number.isNaN(ts)) {
    rec.timeKnown = false;
  } else {
    rec.tsUs = ts;
    rec.msgStart = skipSpaces(line, scan.end, line.length);
  }
  return rec;
}

export const rawFormat: LogFormatModule = {
  name: 'raw',
  probe: () => 0.05,
  parse: parseRaw,
};
