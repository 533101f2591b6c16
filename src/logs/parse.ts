import { Malformed, ParseContext, type LogFormatModule } from './formats/context.js';
import { parseRaw } from './formats/raw.js';
import { LOG_FORMATS, logFormatByName, logFormatNames } from './formats/registry.js';
import { newHeader, parseSyslogHeader } from './formats/syslog-header.js';
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
/**
 * While the first lines read as raw (or end in a format syslog cannot read), detection holds up
 * to this many times `detectLines` lines, doubling the window, for a format that begins later:
 * a container's startup output before its access log runs to a line per worker process.
 */
const DETECT_EXTEND = 16;

function isBlank(line: Uint8Array): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** The format of a log's first lines, and where in them it begins. */
export interface LogDetection {
  format: LogFormatName;
  /**
   * Index (in the lines given, blank ones counted) of the first line of the format: the lines
   * before it are a preamble (a container's startup output before its access log). 0: none.
   */
  start: number;
  /**
   * Nothing specific fits yet (raw), or the last line fits a format with a parser of its own
   * that the verdict (syslog) cannot read: the format may begin after the lines given.
   */
  open: boolean;
}

/** Formats a preamble may precede: each has its own parser (the syslog family dispatches per line anyway). */
const PREAMBLE_FORMATS: ReadonlySet<LogFormatName> = new Set<LogFormatName>([
  'vhost_combined', 'combined', 'common', 'iis', 'iis_native', 'json', 'apache_error',
]);
/** A line fits a format at this probe score (1 exact, 0.5 a variant the parser reads; 0.3 is a sibling's line). */
const FIT = 0.5;
/** Consecutive fitting lines that open a format after a preamble. */
const PREAMBLE_RUN = 8;

/**
 * The format of a log from its first lines: every format scores every line, the best total
 * wins, ties go to the more specific format; `raw` when nothing fits.
 */
export function detectLogFormat(firstLines: readonly (Uint8Array | string)[]): LogFormatName {
  return detectLog(firstLines).format;
}

/**
 * detectLogFormat, and where the format begins. When the lines as a whole read as raw or
 * generic syslog, a format with a parser of its own that opens with a run of PREAMBLE_RUN
 * fitting lines and fits at least two thirds of the lines from there to the end is the
 * log's format, the lines before the run its preamble: a real syslog or raw file has no
 * such run (its lines do not parse as access, W3C or JSON lines), and a file whose last lines
 * are all of one format is read in that format.
 */
function detectLog(firstLines: readonly (Uint8Array | string)[]): LogDetection {
  const ctx = new ParseContext('-', new ZoneResolver('UTC'), new YearResolver({ year: 2000 }), 'raw');
  const nf = LOG_FORMATS.length;
  /** Index in firstLines of each non-blank line, the line, and its scores (nf per line). */
  const at: number[] = [];
  const kept: Uint8Array[] = [];
  const scores: number[] = [];
  let directives = -1;
  for (let li = 0; li < firstLines.length; li++) {
    const l = firstLines[li]!;
    const line = typeof l === 'string' ? Buffer.from(l.replace(/\r?\n$/, ''), 'utf8') : l;
    if (isBlank(line)) continue;
    // A W3C extended log declares itself: its `#Fields:` directive decides the layout, so
    // per-line scores (which cannot see a non-default column order) must not outvote it.
    // The directives just before it open the log; lines before those are a preamble.
    if (line[0] === 0x23) {
      if (directives < 0) directives = li;
    } else directives = -1;
    if (startsWithAscii(line, '#Fields:')) return { format: 'iis', start: Math.max(directives, 0), open: false };
    at.push(li);
    kept.push(line);
    for (const f of LOG_FORMATS) {
      let s = 0;
      try {
        s = f.probe(line, ctx);
      } catch {
        s = 0;
      }
      scores.push(s);
    }
  }
  const n = at.length;
  // Totals and fitting lines of each format over lines[k..n), k = 0..n (sums from the end).
  const totals = new Float64Array((n + 1) * nf);
  const fits = new Int32Array((n + 1) * nf);
  for (let i = n - 1; i >= 0; i--) {
    for (let f = 0; f < nf; f++) {
      const s = scores[i * nf + f]!;
      totals[i * nf + f] = totals[(i + 1) * nf + f]! + s;
      fits[i * nf + f] = fits[(i + 1) * nf + f]! + (s >= FIT ? 1 : 0);
    }
  }
  /** Whether the PREAMBLE_RUN lines from k (or all left) fit format f. */
  const runAt = (k: number, f: number): boolean => {
    for (let i = k; i < Math.min(n, k + PREAMBLE_RUN); i++) if (scores[i * nf + f]! < FIT) return false;
    return true;
  };
  const whole = bestOf(totals.subarray(0, nf), n, () => true);
  const name = whole < 0 ? 'raw' : LOG_FORMATS[whole]!.name;
  if (PREAMBLE_FORMATS.has(name)) {
    // Lines before the format's first line are its preamble when a run of it opens there.
    let k = 0;
    while (k < n && scores[k * nf + whole]! < FIT) k++;
    return { format: name, start: k > 0 && k < n && runAt(k, whole) ? at[k]! : 0, open: false };
  }
  if (name !== 'raw' && name !== 'syslog') return { format: name, start: 0, open: false };
  // Raw or generic syslog: look for the earliest run of a format of its own after a preamble.
  for (let k = 1; k + PREAMBLE_RUN <= n; k++) {
    const v = bestOf(totals.subarray(k * nf, (k + 1) * nf), 0, (f) => PREAMBLE_FORMATS.has(LOG_FORMATS[f]!.name));
    if (v >= 0 && fits[k * nf + v]! * 3 >= (n - k) * 2 && runAt(k, v)) return { format: LOG_FORMATS[v]!.name, start: at[k]!, open: false };
  }
  let open = name === 'raw';
  if (!open && n > 0) {
    // Syslog whose last line is of a format of its own that syslog cannot read, or whose lines
    // mostly name no program (an application's own log with ISO stamps: no evidence either).
    const last = (n - 1) * nf;
    open = scores[last + whole] === 0 && LOG_FORMATS.some((f, i) => PREAMBLE_FORMATS.has(f.name) && scores[last + i]! >= FIT);
    if (!open) {
      const h = newHeader();
      let tagged = 0;
      for (let i = 0; i < n; i++) {
        if (scores[i * nf + whole]! > 0 && parseSyslogHeader(kept[i]!, ctx, h) && h.progStart >= 0) tagged++;
      }
      open = tagged * 2 < fits[whole]!;
    }
  }
  return { format: name, start: 0, open };
}

/**
 * The format (index in LOG_FORMATS) of the best total among those `allowed`, the earlier on
 * ties; -1 when none scores, or (with `n` lines) fewer than a third of the lines fit it.
 */
function bestOf(totals: Float64Array, n: number, allowed: (f: number) => boolean): number {
  let best = -1;
  let bestScore = 0;
  for (let f = 0; f < totals.length; f++) {
    if (!allowed(f)) continue;
    const s = totals[f]!;
    if (s > bestScore) {
      best = f;
      bestScore = s;
    }
  }
  // Fewer than a third of the lines fitting anything specific is no evidence of a format.
  if (best >= 0 && bestScore < n / 3) return -1;
  return best;
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
  /** Non-blank lines held before detection decides (doubled while the verdict is open). */
  private detectTarget: number;
  /** Lines before this one are the preamble of the detected format (see detectLog). */
  private preambleEnd = 0;
  private lineNo = 0;
  private lastTsUs = 0;

  constructor(opts: LogParseOptions = {}) {
    this.file = opts.file ?? '-';
    this.zone = new ZoneResolver(opts.tz ?? 'UTC');
    this.years = new YearResolver({ year: opts.year, refTimeUs: opts.refTimeUs });
    this.rawFallback = opts.rawFallback ?? true;
    this.detectLines = Math.max(1, opts.detectLines ?? 32);
    this.detectTarget = this.detectLines;
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
    // A blank line only counts as skipped, whatever the format: holding it for detection would
    // let a run of empty lines grow the window without bound (they add no bytes and no lines).
    if (isBlank(line)) {
      this.stats.skipped++;
      return;
    }
    this.pending.push({ line, no });
    this.pendingBytes += line.length;
    this.pendingNonBlank++;
    if (this.pendingNonBlank >= this.detectTarget || this.pendingBytes >= DETECT_MAX_BYTES) this.flushDetection(emit, false);
  }

  /** End of stream: parses lines still held for detection. */
  end(emit: (r: LogRecord) => void): void {
    if (!this.module) this.flushDetection(emit, true);
    if (this.years.used > 0) this.stats.yearSource = this.years.source;
  }

  private flushDetection(emit: (r: LogRecord) => void, atEnd: boolean): void {
    const found = detectLog(this.pending.map((p) => p.line));
    if (found.open && !atEnd && this.pendingBytes < DETECT_MAX_BYTES && this.detectTarget < this.detectLines * DETECT_EXTEND) {
      // Nothing specific yet: the log proper may begin after more lines.
      this.detectTarget *= 2;
      return;
    }
    const module = logFormatByName(found.format)!;
    this.setModule(module);
    const held = this.pending;
    this.pending = [];
    // Preamble lines the format cannot read are malformed for a reason of their own (and so
    // named on stderr, with the format chosen after them, by the caller's onMalformed).
    if (found.start > 0) this.preambleEnd = held[found.start]!.no;
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
      const reason = no < this.preambleEnd ? 'preamble' : out.reason;
      stats.malformed++;
      const by = (stats.malformedBy[module.name] ??= {});
      by[reason] = (by[reason] ?? 0) + 1;
      const m: MalformedLine = { file: this.file, line: no, format: module.name, reason };
      if (stats.samples.length < this.maxSamples) stats.samples.push(m);
      this.onMalformed?.(m);
      if (!this.rawFallback) return;
      const raw = parseRaw(line, ctx);
      raw.malformed = reason;
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
