import type { LogFormatName } from './record.js';
import type { YearSource } from './time.js';

/** A line that did not parse, reported with its position. */
export interface MalformedLine {
  file: string;
  line: number;
  format: LogFormatName;
  reason: string;
}

/** Counters of one log stream (or of several merged with mergeLogStats). */
export interface LogStats {
  /** Physical lines read, blank ones included. */
  lines: number;
  bytes: number;
  /** Records handed to the caller (fallback records of malformed lines included). */
  records: number;
  /** Records per format that produced them. */
  recordsByFormat: Partial<Record<LogFormatName, number>>;
  /** Empty lines, comments and directives (IIS `#Fields:`): not records, not errors. */
  skipped: number;
  malformed: number;
  /** format -> reason -> count. */
  malformedBy: Partial<Record<LogFormatName, Record<string, number>>>;
  /** The first malformed lines (bounded by the `maxSamples` option). */
  samples: MalformedLine[];
  /** Lines longer than the limit, cut to it. */
  truncated: number;
  /** Records without a time of their own (they carry the previous record's time). */
  noTime: number;
  /** The format detected for (or forced on) the stream. */
  format: LogFormatName | undefined;
  /** How year-less dates got their year (undefined when none were seen). */
  yearSource: YearSource | undefined;
}

export function emptyLogStats(): LogStats {
  return {
    lines: 0,
    bytes: 0,
    records: 0,
    recordsByFormat: {},
    skipped: 0,
    malformed: 0,
    malformedBy: {},
    samples: [],
    truncated: 0,
    noTime: 0,
    format: undefined,
    yearSource: undefined,
  };
}

/** Adds `b` into `a` (samples stay bounded by `maxSamples`). */
export function mergeLogStats(a: LogStats, b: LogStats, maxSamples = 100): LogStats {
  a.lines += b.lines;
  a.bytes += b.bytes;
  a.records += b.records;
  a.skipped += b.skipped;
  a.malformed += b.malformed;
  a.truncated += b.truncated;
  a.noTime += b.noTime;
  for (const [f, n] of Object.entries(b.recordsByFormat) as [LogFormatName, number][])
    a.recordsByFormat[f] = (a.recordsByFormat[f] ?? 0) + n;
  for (const [f, reasons] of Object.entries(b.malformedBy) as [LogFormatName, Record<string, number>][]) {
    const into = (a.malformedBy[f] ??= {});
    for (const [r, n] of Object.entries(reasons)) into[r] = (into[r] ?? 0) + n;
  }
  for (const s of b.samples) if (a.samples.length < maxSamples) a.samples.push(s);
  return a;
}

/** Flat dotted counters (`logs.lines`, `logs.malformed.combined.bad-time`, ...) for the EVE stats record. */
export function logStatsCounters(s: LogStats, prefix = 'logs'): Record<string, number> {
  const out: Record<string, number> = {
    [`${prefix}.lines`]: s.lines,
    [`${prefix}.bytes`]: s.bytes,
    [`${prefix}.records`]: s.records,
    [`${prefix}.skipped`]: s.skipped,
    [`${prefix}.malformed_total`]: s.malformed,
    [`${prefix}.truncated`]: s.truncated,
    [`${prefix}.no_time`]: s.noTime,
  };
  for (const [f, n] of Object.entries(s.recordsByFormat)) out[`${prefix}.records_by_format.${f}`] = n;
  for (const [f, reasons] of Object.entries(s.malformedBy))
    for (const [r, n] of Object.entries(reasons ?? {})) out[`${prefix}.malformed.${f}.${r}`] = n;
  return out;
}
