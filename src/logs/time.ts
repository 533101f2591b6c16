/**
 * Calendar arithmetic without Date objects (hot path), time-zone resolution for zone-less
 * formats, and the year inference for year-less syslog dates.
 */

export const US_PER_SEC = 1_000_000;
export const US_PER_DAY = 86_400 * US_PER_SEC;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Microseconds since the epoch of a wall-clock time read as UTC. */
export function civilToUs(y: number, mo: number, d: number, h: number, mi: number, s: number, us = 0): number {
  return (daysFromCivil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s) * US_PER_SEC + us;
}

export function civilFromUs(tsUs: number): { y: number; mo: number; d: number } {
  const days = Math.floor(tsUs / US_PER_DAY);
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const mo = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (mo <= 2 ? 1 : 0), mo, d };
}

export function isValidCivil(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return false;
  if (y < 1 || y > 9999) return false;
  if (mo === 2) return d <= ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28);
  return d <= DAYS_IN_MONTH[mo - 1]!;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Month number 1..12 of a three-letter English abbreviation at b[i] (any case), or 0. */
export function monthAt(b: Uint8Array, i: number): number {
  if (i + 3 > b.length) return 0;
  const key = ((b[i]! | 0x20) << 16) | ((b[i + 1]! | 0x20) << 8) | (b[i + 2]! | 0x20);
  return MONTH_KEYS.get(key) ?? 0;
}

const MONTH_KEYS = new Map<number, number>();
['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].forEach((m, i) =>
  MONTH_KEYS.set((m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2), i + 1),
);

/** Whether b[i, i+3) is an English day-of-week abbreviation. */
export function isWeekdayAt(b: Uint8Array, i: number): boolean {
  if (i + 3 > b.length) return false;
  const key = ((b[i]! | 0x20) << 16) | ((b[i + 1]! | 0x20) << 8) | (b[i + 2]! | 0x20);
  return WEEKDAY_KEYS.has(key);
}

const WEEKDAY_KEYS = new Set<number>(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map(
    (m) => (m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2),
  ),
);

/**
 * `Z`, `UTC`, `GMT`, `+hh:mm`, `+hhmm`, `+hh` (and `-`) to minutes east of UTC;
 * undefined when the text is not a fixed offset.
 */
export function parseFixedOffset(text: string): number | undefined {
  const t = text.trim();
  if (/^(z|utc|gmt)$/i.test(t)) return 0;
  const m = /^(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(t);
  if (!m) return undefined;
  const h = Number(m[2]);
  const mi = m[3] ? Number(m[3]) : 0;
  if (h > 23 || mi > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (h * 60 + mi);
}

/**
 * Converts wall-clock times of a zone-less log to UTC. The zone is a fixed offset or an IANA
 * name (`Europe/Zurich`); for IANA zones the offset is looked up per quarter hour and cached,
 * so DST changes are honoured without a Date per line.
 */
export class ZoneResolver {
  readonly name: string;
  private readonly fixedMin: number | undefined;
  private readonly dtf: Intl.DateTimeFormat | undefined;
  private readonly cache = new Map<number, number>();

  constructor(tz = 'UTC') {
    this.name = tz;
    this.fixedMin = parseFixedOffset(tz);
    if (this.fixedMin === undefined) {
      try {
        this.dtf = new Intl.DateTimeFormat('en-US', {
          timeZone: tz,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        });
      } catch {
        throw new RangeError(`unknown time zone "${tz}" (use UTC, an offset like +02:00, or an IANA name like Europe/Zurich)`);
      }
    }
  }

  get isUtc(): boolean {
    return this.fixedMin === 0;
  }

  /** Offset east of UTC, in microseconds, at UTC instant `utcUs`. */
  offsetUsAt(utcUs: number): number {
    if (this.fixedMin !== undefined) return this.fixedMin * 60 * US_PER_SEC;
    const bucket = Math.floor(utcUs / (900 * US_PER_SEC));
    const hit = this.cache.get(bucket);
    if (hit !== undefined) return hit;
    const parts = this.dtf!.formatToParts(new Date(bucket * 900_000));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
    const local = civilToUs(get('year'), get('month'), get('day'), get('hour'), get('minute'), get('second'));
    const off = local - bucket * 900 * US_PER_SEC;
    if (this.cache.size > 4096) this.cache.clear();
    this.cache.set(bucket, off);
    return off;
  }

  /** UTC microseconds of a wall-clock time (given as if it were UTC) in this zone. */
  toUtc(localUs: number): number {
    if (this.fixedMin !== undefined) return localUs - this.fixedMin * 60 * US_PER_SEC;
    const guess = localUs - this.offsetUsAt(localUs);
    return localUs - this.offsetUsAt(guess);
  }
}

export type YearSource = 'option' | 'reference' | 'stream' | 'assumed';

export interface YearOptions {
  /** The year of the first year-less date; later dates roll over into the next year when the month wraps. */
  year?: number;
  /** A time the log is known not to postdate much (the file's mtime): each date takes the latest year not after it. */
  refTimeUs?: number;
}

/** Tolerance for clocks ahead of the reference (log written by a host with a fast clock, mtime rounding). */
const REF_SLACK_US = 2 * US_PER_DAY;

/**
 * Assigns years to year-less dates (RFC 3164 syslog). Choice of rule, in order:
 * an explicit year (rolled forward at Dec -> Jan wraps), the first full-dated line of the stream
 * not after the reference (rolled forward like an explicit year; from that line on), a reference time (each date gets the
 * latest year that does not put it after the reference, so a file spanning New Year resolves both
 * halves), else 1970 (counted).
 */
export class YearResolver {
  private readonly refUs: number | undefined;
  private readonly refYear: number;
  private current: number | undefined;
  /** The running year of dates resolved with no year known (from 1970). */
  private assumed: number | undefined;
  private lastMonth = 0;
  /** The running year has been rolled forward at least once. */
  private wrapped = false;
  /** See noteDated. */
  private wrapsBefore = 0;
  source: YearSource;
  /** Year-less dates resolved so far. */
  used = 0;

  constructor(opts: YearOptions) {
    this.refUs = opts.refTimeUs;
    this.refYear = this.refUs !== undefined ? civilFromUs(this.refUs + REF_SLACK_US).y : 1970;
    this.current = opts.year;
    this.source = opts.year !== undefined ? 'option' : opts.refTimeUs !== undefined ? 'reference' : 'assumed';
  }

  /**
   * A line carrying a full date was seen: seeds the year unless one was given or already seeded.
   * It wins over the reference time for the lines after it (a date the log states is better
   * evidence than the file's mtime, which a copy moves), but only when it is not after the
   * reference: a log cannot hold lines written after its last change, so such a date is the
   * one in doubt.
   */
  noteDated(tsUs: number): void {
    if (this.current !== undefined) return;
    if (this.refUs !== undefined && tsUs > this.refUs + REF_SLACK_US) return;
    const c = civilFromUs(tsUs);
    // Wraps among the year-less dates resolved before this one (from 1970, see resolve), and
    // between the last of them and this date: what `rewind` takes off for a pass from the top.
    const last = this.lastMonth;
    this.wrapsBefore = (this.assumed ?? 1970) - 1970 + (last !== 0 && c.mo < last && last - c.mo >= 6 ? 1 : 0);
    this.current = c.y;
    this.lastMonth = c.mo;
    this.wrapped = false;
    this.source = 'stream';
  }

  /**
   * Back to the first line for another pass over the same lines (format detection reads ahead,
   * then parses from the top): a year seeded by a dated line further down becomes the year of
   * the first line, less the New Years passed on the way there.
   */
  rewind(): void {
    if (this.source === 'stream' && this.current !== undefined) this.current -= this.wrapsBefore;
    this.wrapsBefore = 0;
    this.lastMonth = 0;
    this.wrapped = false;
    this.assumed = undefined;
  }

  get known(): boolean {
    return this.current !== undefined || this.refUs !== undefined;
  }

  /** The year of a year-less wall-clock date in `zone`. */
  resolve(mo: number, d: number, h: number, mi: number, sec: number, us: number, zone: ZoneResolver): number {
    this.used++;
    if (this.current === undefined && this.refUs !== undefined) {
      const y = this.refYear;
      const day = Math.min(d, mo === 2 ? 28 : d); // Feb 29 compares as Feb 28 in any year
      return zone.toUtc(civilToUs(y, mo, day, h, mi, sec, us)) > this.refUs + REF_SLACK_US ? y - 1 : y;
    }
    // With nothing to go by, dates count from 1970 (and are counted as such) but still roll over,
    // so time keeps running forward across a New Year in the log.
    if (this.current === undefined) this.assumed ??= 1970;
    const year = this.current ?? this.assumed!;
    if (this.lastMonth !== 0) {
      if (mo < this.lastMonth && this.lastMonth - mo >= 6) {
        this.setYear(year + 1);
        this.wrapped = true;
      } else if (this.wrapped && mo >= 10 && this.lastMonth <= 3) {
        // A late line from the old year just after a wrap (a December line among January ones):
        // it belongs to the year before, and must not move the running year back.
        return year - 1;
      }
      // Any other forward jump, however long (March, then October), stays in the running year.
    }
    this.lastMonth = mo;
    return this.current ?? this.assumed!;
  }

  private setYear(y: number): void {
    if (this.current !== undefined) this.current = y;
    else this.assumed = y;
  }
}
