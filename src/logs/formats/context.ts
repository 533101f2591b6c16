import type { BaseLogRecord, LogFormatName } from '../record.js';
import { civilToUs, isValidCivil, YearResolver, ZoneResolver } from '../time.js';

/** A line that does not fit its format; `reason` is a short stable token for the stats. */
export class Malformed {
  constructor(readonly reason: string) {}
}

/** What parsing one line gives: a record, a malformed verdict, or null for a non-record line (comment, directive). */
export type ParseOutcome = BaseLogRecord | Malformed | null;

/** Per-stream state a format may keep between lines (IIS `#Fields:` changes mid-file). */
export interface IisState {
  fields: import('./iis.js').IisLayout | undefined;
  /** From `#Date:`, for layouts without a date column: [y, m, d]. */
  date: [number, number, number] | undefined;
  /** Values may be double-quoted (IIS Advanced Logging, as its `#Software:` line says). */
  quoted: boolean;
}

/**
 * One stream's parse context: where the line is from, how to turn wall-clock times into UTC,
 * and mutable per-format state. Created once per stream, never per line.
 */
export class ParseContext {
  lineNo = 0;
  readonly iis: IisState = { fields: undefined, date: undefined, quoted: false };

  constructor(
    readonly file: string,
    readonly zone: ZoneResolver,
    readonly years: YearResolver,
    /** The format the stream was detected as (or forced to); syslog-family lines may still dispatch to a sibling. */
    readonly format: LogFormatName,
  ) {}

  /** UTC microseconds of a zone-less wall-clock time (in the `tz` option's zone); NaN if the date is invalid. */
  local(y: number, mo: number, d: number, h: number, mi: number, s: number, us: number): number {
    if (!isValidCivil(y, mo, d, h, mi, s)) return NaN;
    const ts = this.zone.toUtc(civilToUs(y, mo, d, h, mi, s, us));
    this.years.noteDated(ts);
    return ts;
  }

  /** UTC microseconds of a time with an explicit offset (minutes east of UTC). */
  withOffset(y: number, mo: number, d: number, h: number, mi: number, s: number, us: number, offMin: number): number {
    if (!isValidCivil(y, mo, d, h, mi, s)) return NaN;
    const ts = civilToUs(y, mo, d, h, mi, s, us) - offMin * 60_000_000;
    this.years.noteDated(ts);
    return ts;
  }

  /** A year-less date (RFC 3164): the year comes from the YearResolver. */
  yearless(mo: number, d: number, h: number, mi: number, s: number, us: number): number {
    if (!isValidCivil(2000, mo, d, h, mi, s)) return NaN;
    const y = this.years.resolve(mo, d, h, mi, s, us, this.zone);
    if (!isValidCivil(y, mo, d, h, mi, s)) return NaN; // Feb 29 in a non-leap year
    return this.zone.toUtc(civilToUs(y, mo, d, h, mi, s, us));
  }
}

/**
 * One log format: a detection probe and a line parser. Parsers scan bytes by hand and
 * never throw on bad input (the caller still guards against bugs).
 */
export interface LogFormatModule {
  readonly name: LogFormatName;
  /**
   * How typical `line` is of this format, 0 (cannot be) to 1; used by detection over the first
   * lines. `ctx` is a scratch context owned by the detector.
   */
  probe(line: Uint8Array, ctx: ParseContext): number;
  parse(line: Uint8Array, ctx: ParseContext): ParseOutcome;
}
