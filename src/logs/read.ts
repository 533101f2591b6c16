import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { indexOfByte } from './bytes.js';
import { DEFAULT_MAX_LINE_BYTES, LogParser, type LogParseOptions } from './parse.js';
import type { LogRecord } from './record.js';
import type { LogStats } from './stats.js';

/**
 * Splits a byte stream into lines without decoding it. Memory stays bounded by `maxLineBytes`:
 * a longer line keeps its first `maxLineBytes` bytes, the rest is skipped up to the next `\n`
 * and the line is flagged truncated. A `\r` before the `\n` is dropped.
 */
export class LineSplitter {
  private carry: Uint8Array[] = [];
  private carryLen = 0;
  private discarding = false;

  constructor(private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {}

  push(input: Uint8Array, out: (line: Uint8Array, truncated: boolean) => void): void {
    // Lines are handed on as plain Uint8Array views: the records cut many subarrays from each
    // line, and a Node Buffer's subarray is several times dearer than a typed array's.
    const chunk = plainView(input);
    // A view made from the buffer directly costs half of what subarray() does (once per line).
    const buffer = chunk.buffer;
    const base = chunk.byteOffset;
    let start = 0;
    while (start < chunk.length) {
      const nl = indexOfByte(chunk, 0x0a, start);
      if (nl < 0) {
        this.stash(chunk.subarray(start));
        return;
      }
      if (this.carry.length === 0 && !this.discarding && nl - start <= this.maxLineBytes) {
        // The common case: a whole line inside the chunk (as finish() would hand it on).
        const end = nl > start && chunk[nl - 1] === 0x0d ? nl - 1 : nl;
        out(new Uint8Array(buffer, base + start, end - start), false);
      } else this.finish(chunk.subarray(start, nl), out);
      start = nl + 1;
    }
  }

  /** End of input: a last line without `\n` is still a line. */
  end(out: (line: Uint8Array, truncated: boolean) => void): void {
    if (this.carryLen > 0 || this.discarding) this.finish(new Uint8Array(0), out);
  }

  private stash(part: Uint8Array): void {
    if (this.discarding) return;
    const room = this.maxLineBytes - this.carryLen;
    if (part.length > room) {
      if (room > 0) this.carry.push(part.slice(0, room));
      this.carryLen = this.maxLineBytes;
      this.discarding = true;
      return;
    }
    // Copied so a pending partial line does not pin the whole read chunk.
    this.carry.push(part.slice());
    this.carryLen += part.length;
  }

  private finish(tail: Uint8Array, out: (line: Uint8Array, truncated: boolean) => void): void {
    let truncated = this.discarding;
    let line: Uint8Array;
    if (this.carry.length === 0 && !this.discarding) {
      line = tail;
      if (line.length > this.maxLineBytes) {
        line = line.subarray(0, this.maxLineBytes);
        truncated = true;
      }
    } else {
      if (!this.discarding) {
        const room = this.maxLineBytes - this.carryLen;
        if (tail.length > room) {
          this.carry.push(tail.subarray(0, room));
          truncated = true;
        } else this.carry.push(tail);
      }
      line = plainView(Buffer.concat(this.carry));
      this.carry = [];
      this.carryLen = 0;
      this.discarding = false;
    }
    if (!truncated && line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    out(line, truncated);
  }
}

function plainView(b: Uint8Array): Uint8Array {
  return Buffer.isBuffer(b) ? new Uint8Array(b.buffer, b.byteOffset, b.length) : b;
}

/**
 * A log stream that failed part way (a truncated gzip file, a read error): the records before
 * the failure were handed on, and `stats` counts them.
 */
export class LogReadError extends Error {
  constructor(
    message: string,
    readonly stats: LogStats,
  ) {
    super(message);
  }
}

/**
 * Reads a log from any byte stream (stdin, a socket, a decompressor) and hands each record to
 * `onRecord` as it is parsed. Resolves with the stream's statistics; a stream that fails part
 * way rejects with a LogReadError once the complete lines before the failure are handed on (the
 * incomplete line it was cut in is dropped: its end is missing).
 */
export async function readLogStream(
  input: AsyncIterable<Uint8Array | string>,
  opts: LogParseOptions,
  onRecord: (r: LogRecord) => void,
): Promise<LogStats> {
  const parser = new LogParser(opts);
  const splitter = new LineSplitter(opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const onLine = (line: Uint8Array, truncated: boolean): void => parser.push(line, truncated, onRecord);
  try {
    for await (const chunk of input) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk, onLine);
  } catch (e) {
    // Lines held back while the format was being detected are still records.
    parser.end(onRecord);
    const lines = parser.stats.lines;
    const where = lines > 0 ? ` after line ${lines} (the ${lines} complete lines before it were read)` : ' before its first complete line';
    throw new LogReadError(`${e instanceof Error ? e.message : String(e)}${where}`, parser.stats);
  }
  splitter.end(onLine);
  parser.end(onRecord);
  return parser.stats;
}

const READ_CHUNK = 256 * 1024;

/** Whether bytes open a gzip stream (its two magic bytes). */
export function isGzipMagic(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return isGzipMagic(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

async function fileInput(path: string, opts: LogParseOptions): Promise<{ input: AsyncIterable<Uint8Array>; opts: LogParseOptions }> {
  const st = await stat(path);
  const resolved: LogParseOptions = { ...opts, file: opts.file ?? path };
  // Year-less dates: the file's last write is the reference unless the caller pinned the year.
  if (resolved.year === undefined && resolved.refTimeUs === undefined) resolved.refTimeUs = Math.round(st.mtimeMs * 1000);
  const raw = createReadStream(path, { highWaterMark: READ_CHUNK });
  const input = (await isGzip(path)) ? raw.pipe(createGunzip()) : raw;
  return { input: input as AsyncIterable<Uint8Array>, opts: resolved };
}

/** Reads a log file (gzip-compressed files are recognised by their magic bytes), record by record. */
export async function readLogFile(
  path: string,
  opts: LogParseOptions,
  onRecord: (r: LogRecord) => void,
): Promise<LogStats> {
  const { input, opts: resolved } = await fileInput(path, opts);
  return readLogStream(input, resolved, onRecord);
}

/** The records of a log file as an async iterator; `stats` is complete once iteration ends. */
export interface LogRecordIterable extends AsyncIterable<LogRecord> {
  readonly stats: LogStats | undefined;
}

export function readLogRecords(path: string, opts: LogParseOptions = {}): LogRecordIterable {
  let stats: LogStats | undefined;
  async function* run(): AsyncGenerator<LogRecord> {
    const { input, opts: resolved } = await fileInput(path, opts);
    const parser = new LogParser(resolved);
    stats = parser.stats;
    const splitter = new LineSplitter(resolved.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    // Records of one chunk are batched: the callback-style parser cannot yield by itself.
    let batch: LogRecord[] = [];
    const emit = (r: LogRecord): void => {
      batch.push(r);
    };
    const onLine = (line: Uint8Array, truncated: boolean): void => parser.push(line, truncated, emit);
    for await (const chunk of input) {
      splitter.push(chunk, onLine);
      if (batch.length) {
        const out = batch;
        batch = [];
        yield* out;
      }
    }
    splitter.end(onLine);
    parser.end(emit);
    yield* batch;
  }
  return {
    get stats() {
      return stats;
    },
    [Symbol.asyncIterator]: () => run(),
  };
}
