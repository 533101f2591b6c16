import { Malformed, ParseContext, type LogFormatModule } from './formats/context.js';
import { parseRaw } from './formats/raw.js';
import { LOG_FORMATS, logFormatByName, logFormatNames } from './formats/registry.js';
import type { LogFormatName, LogRecord } from './record.js';
import { emptyLogStats, type LogStats, type MalformedLine } from './stats.js';
import { YearResolver, ZoneResolver } from './time.js';

export interface LogParseOptions {
  /** Force a format (name or alias: combined, iis, netfilter, asa, sendmail, syslog, json, ...); default: detected. */
  format?: string;
  /** Name recorded in each record's `log.file` (readLogFile sets the path). */
  file?: string;
  /** Year of year-less syslog dates (rolled forward at Dec -> Jan). */
  year?: number;
  /** Time the log does not postdate, for year inference (readLogFile uses the file's mtime). Microseconds. */
  refTimeUs?: number;
  /** Zone of zone-less timestamps: `UTC` (default), `+02:00`, or an IANA name like `Europe/Zurich`. */
  tz?: string;
  /** Longer lines are cut to this many bytes and counted (readers only). Default 1 MiB. */
  maxLineBytes?: number;
  /** Emit a `raw` record (log.message only) for each malformed line, so content rules still see it. Default true. */
  rawFallback?: boolean;
  /** Non-blank lines looked at for detection. Default 32. */
  detectLines?: number;
  /** Malformed lines kept in stats.samples. Default 100. */
  maxSamples?: number;
  /** Called for every malformed line, in order. */
  onMalformed?: (m: MalformedLine) => void;
}

export const DEFAULT_MAX_LINE_BYTES = 1 << 20;
const DETECT_MAX_BYTES = 4 << 20;

function isBlank(line: Uint8Array): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/**
 * The format of a log from its first lines: every format scores every line, the best total
 * wins, ties go to the more specific format; `raw` when nothing fits.
 */
export function detectLogFormat(firstLines: readonly (Uint8Array | string)[]): LogFormatName {
  const ctx = new ParseContext('-', new ZoneResolver('UTC'), new YearResolver({ year: 2000 }), 'raw');
  const scores = new Map<LogFormatModule, number>();
  let n = 0;
  for (const l of firstLines) {
    const line = typeof l === 'string' ? Buffer.from(l.replace(/\r?\n$/, ''), 'utf8') : l;
    if (isBlank(line)) continue;
    // A W3C extended log declares itself: its `#Fields:` directive decides the layout, so
    // per-line scores (which cannot see a non-default column order) must not outvote it.
    if (startsWithAscii(line, '#Fields:')) return 'iis';
    n++;
    for (const f of LOG_FORMATS) {
      let s = 0;
      try {
        s = f.probe(line, ctx);
      } catch {
        s = 0;
      }
      scores.set(f, (scores.get(f) ?? 0) + s);
    }
  }
  let best: LogFormatModule | undefined;
  let bestScore = 0;
  for (const f of LOG_FORMATS) {
    const s = scores.get(f) ?? 0;
    if (s > bestScore) {
      best = f;
      bestScore = s;
    }
  }
  // Fewer than a third of the lines fitting anything specific is no evidence of a format.
  if (!best || bestScore < n / 3) return 'raw';
  return best.name;
}

/**
 * Turns the lines of one stream into records. Stateful (IIS layouts, year rollover, time of
 * the previous line), constant memory apart from the detection window.
 */
export class LogParser {
  readonly stats: LogStats = emptyLogStats();
  private module: LogFormatModule | undefined;
  private ctx: ParseContext | undefined;
  private readonly zone: ZoneResolver;
  private readonly years: YearResolver;
  private readonly file: string;
  private readonly rawFallback: boolean;
  private readonly detectLines: number;
  private readonly maxSamples: number;
  private readonly onMalformed: ((m: MalformedLine) => void) | undefined;
  private pending: { line: Uint8Array; no: number }[] = [];
  private pendingNonBlank = 0;
  private pendingBytes = 0;
  private lineNo = 0;
  private lastTsUs = 0;

  constructor(opts: LogParseOptions = {}) {
    this.file = opts.file ?? '-';
    this.zone = new ZoneResolver(opts.tz ?? 'UTC');
    this.years = new YearResolver({ year: opts.year, refTimeUs: opts.refTimeUs });
    this.rawFallback = opts.rawFallback ?? true;
    this.detectLines = Math.max(1, opts.detectLines ?? 32);
    this.maxSamples = opts.maxSamples ?? 100;
    this.onMalformed = opts.onMalformed;
    if (opts.format !== undefined) {
      const m = logFormatByName(opts.format);
      if (!m) throw new RangeError(`unknown log format "${opts.format}" (known: ${logFormatNames().join(', ')})`);
      this.setModule(m);
    }
  }

  get format(): LogFormatName | undefined {
    return this.module?.name;
  }

  private setModule(m: LogFormatModule): void {
    this.module = m;
    this.ctx = new ParseContext(this.file, this.zone, this.years, m.name);
    this.stats.format = m.name;
  }

  /** One physical line, without its line break. `truncated` says the reader cut it. */
  push(line: Uint8Array, truncated: boolean, emit: (r: LogRecord) => void): void {
    const no = ++this.lineNo;
    // A UTF-8 byte order mark (IIS and Windows tools may write one) is no part of the first line.
    if (no === 1 && line.length >= 3 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) line = line.subarray(3);
    this.stats.lines++;
    this.stats.bytes += line.length;
    if (truncated) this.stats.truncated++;
    if (this.module) {
      this.parseOne(line, no, emit);
      return;
    }
    this.pending.push({ line, no });
    this.pendingBytes += line.length;
    if (!isBlank(line)) this.pendingNonBlank++;
    if (this.pendingNonBlank >= this.detectLines || this.pendingBytes >= DETECT_MAX_BYTES) this.flushDetection(emit);
  }

  /** End of stream: parses lines still held for detection. */
  end(emit: (r: LogRecord) => void): void {
    if (!this.module) this.flushDetection(emit);
    if (this.years.used > 0) this.stats.yearSource = this.years.source;
  }

  private flushDetection(emit: (r: LogRecord) => void): void {
    const fmt = detectLogFormat(this.pending.map((p) => p.line));
    const module = logFormatByName(fmt)!;
    this.setModule(module);
    const held = this.pending;
    this.pending = [];
    if (!this.years.known) {
      // No year given: a fully dated line anywhere in the window seeds the year of the
      // year-less lines before it too. Records of this pass are discarded.
      const scratch = new ParseContext(this.file, this.zone, this.years, module.name);
      for (const p of held) {
        if (this.years.known) break;
        try {
          module.parse(p.line, scratch);
        } catch {
          // counted when the line is parsed for real
        }
      }
      this.years.rewind();
    }
    for (const p of held) this.parseOne(p.line, p.no, emit);
  }

  private parseOne(line: Uint8Array, no: number, emit: (r: LogRecord) => void): void {
    const stats = this.stats;
    if (isBlank(line)) {
      stats.skipped++;
      return;
    }
    const ctx = this.ctx!;
    const module = this.module!;
    ctx.lineNo = no;
    let out;
    try {
      out = module.parse(line, ctx);
    } catch {
      // A parser bug must cost one line, not the run.
      out = new Malformed('parser-error');
    }
    if (out === null) {
      stats.skipped++;
      return;
    }
    if (out instanceof Malformed) {
      stats.malformed++;
      const by = (stats.malformedBy[module.name] ??= {});
      by[out.reason] = (by[out.reason] ?? 0) + 1;
      const m: MalformedLine = { file: this.file, line: no, format: module.name, reason: out.reason };
      if (stats.samples.length < this.maxSamples) stats.samples.push(m);
      this.onMalformed?.(m);
      if (!this.rawFallback) return;
      const raw = parseRaw(line, ctx);
      raw.malformed = out.reason;
      out = raw;
    }
    if (out.timeKnown) this.lastTsUs = out.tsUs;
    else {
      out.tsUs = this.lastTsUs;
      stats.noTime++;
    }
    stats.records++;
    stats.recordsByFormat[out.format] = (stats.recordsByFormat[out.format] ?? 0) + 1;
    emit(out);
  }
}

/** Parses in-memory lines (strings are UTF-8 encoded; pass Uint8Arrays to keep arbitrary bytes). */
export function parseLogLines(
  lines: Iterable<Uint8Array | string>,
  opts: LogParseOptions = {},
): { records: LogRecord[]; stats: LogStats } {
  const parser = new LogParser(opts);
  const records: LogRecord[] = [];
  const emit = (r: LogRecord): void => {
    records.push(r);
  };
  const max = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  for (const l of lines) {
    let line = typeof l === 'string' ? Buffer.from(l, 'utf8') : l;
    let e = line.length;
    if (e > 0 && line[e - 1] === 0x0a) e--;
    if (e > 0 && line[e - 1] === 0x0d) e--;
    const truncated = e > max;
    line = line.subarray(0, Math.min(e, max));
    parser.push(line, truncated, emit);
  }
  parser.end(emit);
  return { records, stats: parser.stats };
}

function startsWithAscii(line: Uint8Array, prefix: string): boolean {
  if (line.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (line[i] !== prefix.charCodeAt(i)) return false;
  return true;
}
