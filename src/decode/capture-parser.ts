import { frameView, u16, u32, u32le } from './bytes.js';
import type { RawFrame } from './raw-frame.js';

export type CaptureFormat = 'pcap' | 'pcapng';

/** Why reading stopped early: the message names the source and the byte offset of the damage. */
export interface CaptureError {
  message: string;
  /** Offset in the file of the record or block that could not be read. */
  offset: number;
}

export interface CaptureParserOptions {
  /** Largest captured frame accepted before the record is called corrupt (default 256 KiB). */
  maxCaplen?: number;
  /** Largest pcapng block of any kind (default 16 MiB); bounds the memory a hostile file can claim. */
  maxBlockLength?: number;
}

export const DEFAULT_MAX_CAPLEN = 256 * 1024;
export const DEFAULT_MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

const STATE_MAGIC = 0;
const STATE_PCAP = 1;
const STATE_PCAPNG = 2;
const STATE_STOPPED = 3;

const PCAP_FILE_HEADER = 24;
const PCAP_RECORD_HEADER = 16;
/** The "modified" libpcap format (Kuznetzov patches) appends ifindex, protocol and pkt_type. */
const PCAP_MODIFIED_RECORD_HEADER = 24;

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_US_SWAPPED = 0xd4c3b2a1;
const MAGIC_NS = 0xa1b23c4d;
const MAGIC_NS_SWAPPED = 0x4d3cb2a1;
const MAGIC_MODIFIED = 0xa1b2cd34;
const MAGIC_MODIFIED_SWAPPED = 0x34cdb2a1;

const BLOCK_SHB = 0x0a0d0d0a;

/** Whether a file's first four bytes open a capture this parser reads (every pcap variant, pcapng). */
export function isCaptureMagic(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  const be = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  switch (be) {
    case MAGIC_US:
    case MAGIC_US_SWAPPED:
    case MAGIC_NS:
    case MAGIC_NS_SWAPPED:
    case MAGIC_MODIFIED:
    case MAGIC_MODIFIED_SWAPPED:
    case BLOCK_SHB:
      return true;
    default:
      return false;
  }
}
const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;
const MIN_BLOCK = 12;

const OPT_END = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

const TWO_32 = 4294967296;

/** How an interface's 64-bit timestamps turn into microseconds. */
const TS_MICRO = 0;
const TS_DIVIDE = 1;
const TS_MULTIPLY = 2;
const TS_BINARY = 3;
const TS_FLOAT_DIVIDE = 4;

interface PcapngInterface {
  linkType: number;
  snaplen: number;
  caplenLimit: number;
  tsMode: number;
  /** TS_DIVIDE: divisor and the quotient/remainder of 2^32 by it; TS_MULTIPLY: the factor; TS_BINARY: exponent. */
  tsFactor: number;
  tsQuot: number;
  tsRem: number;
  tsOffsetUs: number;
}

/**
 * Synchronous push parser for libpcap and pcapng streams. feed() takes chunks of any size
 * and calls onFrame for each packet found; frames lie inside the chunk where possible and
 * only a record that straddles two chunks is copied (into a buffer reused for the next one).
 * The RawFrame object passed to onFrame is reused: it and its data are valid only during
 * the call. Damage stops parsing with an error naming the byte offset; nothing throws.
 */
export class CaptureParser {
  /** Frames delivered so far. */
  frames = 0;
  /** Captured bytes of the frames delivered so far. */
  bytes = 0;
  /** Bytes accepted by feed() so far. */
  fedBytes = 0;
  /** pcapng blocks of kinds the parser does not use (statistics, name resolution, custom, ...). */
  skippedBlocks = 0;
  format: CaptureFormat | null = null;
  error: CaptureError | undefined = undefined;

  private state = STATE_MAGIC;
  /** File offset of the next record or block (the one being assembled in `carry`, if any). */
  private offset = 0;
  private carry: Uint8Array = new Uint8Array(0);
  private carryLen = 0;
  private readonly frame: RawFrame = {
    num: 0,
    tsUs: 0,
    linkType: 0,
    data: new Uint8Array(0),
    wireLength: 0,
    interfaceId: 0,
  };
  private readonly maxCaplen: number;
  private readonly maxBlockLength: number;

  private le = true;
  private pcapNanos = false;
  private pcapRecordHeader = PCAP_RECORD_HEADER;
  private pcapLinkType = 0;
  private pcapCaplenLimit = 0;

  private interfaces: PcapngInterface[] = [];
  /** Global number of the current section's first interface. */
  private interfaceBase = 0;
  private lastTsUs = 0;

  constructor(
    private readonly name: string,
    private readonly onFrame: (frame: RawFrame) => void,
    options: CaptureParserOptions = {},
  ) {
    this.maxCaplen = options.maxCaplen ?? DEFAULT_MAX_CAPLEN;
    this.maxBlockLength = Math.max(options.maxBlockLength ?? DEFAULT_MAX_BLOCK_LENGTH, MIN_BLOCK);
  }

  /** False once parsing has stopped (error or end()); further chunks are then ignored. */
  get active(): boolean {
    return this.state !== STATE_STOPPED;
  }

  /** Parses a chunk. Returns false when parsing has stopped on an error. */
  feed(chunk: Uint8Array): boolean {
    if (this.state === STATE_STOPPED) return false;
    const n = chunk.length;
    this.fedBytes += n;
    let pos = 0;
    if (this.carryLen > 0) {
      pos = this.completeCarry(chunk);
      if (pos < 0) return this.state !== STATE_STOPPED;
    }
    while (pos < n) {
      const avail = n - pos;
      const need = this.unitSize(chunk, pos, avail);
      if (need < 0) return false;
      if (need > avail) {
        this.stash(chunk, pos, avail);
        return true;
      }
      this.processUnit(chunk, pos, need);
      if (this.state === STATE_STOPPED) return false;
      pos += need;
    }
    return true;
  }

  /**
   * Signals the end of input. Returns the error that stopped parsing, if any, including
   * a record cut short by the end of the file.
   */
  end(): CaptureError | undefined {
    if (this.state === STATE_STOPPED) return this.error;
    if (this.fedBytes === 0) {
      this.fail(0, 'empty file: no capture header');
    } else if (this.carryLen > 0) {
      const need = this.unitSize(this.carry, 0, this.carryLen);
      if (need >= 0) {
        this.fail(
          this.offset,
          `truncated ${this.describeUnit(this.carry, this.carryLen)} at byte ${this.offset} ` +
            `(needs ${need} bytes, ${this.carryLen} left)`,
        );
      }
    }
    this.state = STATE_STOPPED;
    this.carry = new Uint8Array(0);
    this.carryLen = 0;
    return this.error;
  }

  /**
   * Completes the unit held in `carry` from the start of the chunk. Returns the chunk
   * position after it, or -1 when the chunk ran out first (or an error stopped parsing).
   */
  private completeCarry(chunk: Uint8Array): number {
    let pos = 0;
    for (;;) {
      const need = this.unitSize(this.carry, 0, this.carryLen);
      if (need < 0) return -1;
      if (need > this.carryLen) {
        const take = Math.min(need - this.carryLen, chunk.length - pos);
        this.ensureCarry(need);
        this.carry.set(chunk.subarray(pos, pos + take), this.carryLen);
        this.carryLen += take;
        pos += take;
        if (this.carryLen < need) return -1;
        continue; // the header may now reveal a larger unit
      }
      this.processUnit(this.carry, 0, need);
      this.carryLen = 0;
      if (this.state === STATE_STOPPED) return -1;
      return pos;
    }
  }

  private stash(chunk: Uint8Array, pos: number, avail: number): void {
    this.ensureCarry(avail);
    this.carry.set(chunk.subarray(pos, pos + avail), 0);
    this.carryLen = avail;
  }

  private ensureCarry(size: number): void {
    if (this.carry.length >= size) return;
    let cap = Math.max(this.carry.length * 2, 4096);
    while (cap < size) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.carry.subarray(0, this.carryLen), 0);
    this.carry = next;
  }

  /**
   * Bytes needed for the unit (file header, record or block) starting at b[o]: the header
   * size while the header is incomplete, then the whole unit's size; -1 when it is corrupt.
   */
  private unitSize(b: Uint8Array, o: number, avail: number): number {
    switch (this.state) {
      case STATE_PCAP: {
        const hdr = this.pcapRecordHeader;
        if (avail < hdr) return hdr;
        const caplen = u32(b, o + 8, this.le);
        if (caplen > this.pcapCaplenLimit) {
          this.fail(
            this.offset,
            `corrupt packet record at byte ${this.offset}: captured length ${caplen} ` +
              `exceeds the limit of ${this.pcapCaplenLimit} bytes`,
          );
          return -1;
        }
        return hdr + caplen;
      }
      case STATE_PCAPNG:
        return this.blockSize(b, o, avail);
      case STATE_MAGIC: {
        if (avail < 4) return 4;
        const magic = u32le(b, o);
        if (pcapMagicKind(magic) !== null) return PCAP_FILE_HEADER;
        if (magic === BLOCK_SHB) return this.blockSize(b, o, avail);
        this.fail(
          0,
          `not a pcap or pcapng file: unknown magic number 0x${magic.toString(16).padStart(8, '0')} at byte 0`,
        );
        return -1;
      }
      default:
        return -1;
    }
  }

  private blockSize(b: Uint8Array, o: number, avail: number): number {
    if (avail < MIN_BLOCK) return MIN_BLOCK;
    let le = this.le;
    if (u32le(b, o) === BLOCK_SHB) {
      const bom = u32le(b, o + 8);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === BYTE_ORDER_MAGIC_SWAPPED) le = false;
      else {
        this.fail(this.offset, `corrupt section header block at byte ${this.offset}: bad byte-order magic`);
        return -1;
      }
    }
    const len = u32(b, o + 4, le);
    if (len < MIN_BLOCK || len % 4 !== 0 || len > this.maxBlockLength) {
      this.fail(this.offset, `corrupt pcapng block at byte ${this.offset}: invalid block length ${len}`);
      return -1;
    }
    return len;
  }

  private describeUnit(b: Uint8Array, avail: number): string {
    switch (this.state) {
      case STATE_MAGIC:
        return 'file header';
      case STATE_PCAP:
        return avail < this.pcapRecordHeader ? 'packet record header' : 'packet record';
      default: {
        if (avail < 4) return 'pcapng block header';
        const type = u32(b, 0, this.le);
        return BLOCK_NAMES.get(type) ?? 'pcapng block';
      }
    }
  }

  private processUnit(b: Uint8Array, o: number, size: number): void {
    switch (this.state) {
      case STATE_PCAP:
        this.pcapRecord(b, o);
        break;
      case STATE_PCAPNG:
        this.pcapngBlock(b, o, size);
        break;
      case STATE_MAGIC:
        if (u32le(b, o) === BLOCK_SHB) {
          this.format = 'pcapng';
          this.state = STATE_PCAPNG;
          this.pcapngBlock(b, o, size);
        } else {
          this.pcapFileHeader(b, o);
        }
        break;
    }
    this.offset += size;
  }

  private pcapFileHeader(b: Uint8Array, o: number): void {
    const kind = pcapMagicKind(u32le(b, o))!;
    this.format = 'pcap';
    this.state = STATE_PCAP;
    this.le = kind.le;
    this.pcapNanos = kind.nanos;
    this.pcapRecordHeader = kind.modified ? PCAP_MODIFIED_RECORD_HEADER : PCAP_RECORD_HEADER;
    // The upper bits of the link-type field carry FCS information, not the type.
    this.pcapLinkType = u32(b, o + 20, this.le) & 0x03ffffff;
    // As libpcap, the header's snaplen (bytes 16-19) bounds nothing: a record longer than it is
    // read whole; only the absolute bound marks a corrupt length field.
    this.pcapCaplenLimit = this.maxCaplen;
  }

  private pcapRecord(b: Uint8Array, o: number): void {
    const le = this.le;
    const sec = u32(b, o, le);
    const frac = u32(b, o + 4, le);
    const caplen = u32(b, o + 8, le);
    const tsUs = sec * 1e6 + (this.pcapNanos ? Math.floor(frac / 1000) : frac);
    this.emit(b, o + this.pcapRecordHeader, caplen, u32(b, o + 12, le), tsUs, this.pcapLinkType, 0);
  }

  private pcapngBlock(b: Uint8Array, o: number, len: number): void {
    const type = u32(b, o, this.le);
    if (type === BLOCK_SHB) {
      this.sectionHeader(b, o, len);
      return;
    }
    const le = this.le;
    if (u32(b, o + len - 4, le) !== len) {
      this.fail(this.offset, `corrupt pcapng block at byte ${this.offset}: trailing length does not match ${len}`);
      return;
    }
    switch (type) {
      case BLOCK_IDB:
        this.interfaceDescription(b, o, len);
        return;
      case BLOCK_EPB: {
        if (len < 32) return this.corruptBlock('enhanced packet block', len);
        const ifId = u32(b, o + 8, le);
        const iface = this.packetInterface(ifId);
        if (iface === null) return;
        const caplen = u32(b, o + 20, le);
        if (!this.checkBlockCaplen(caplen, len - 32, iface)) return;
        const tsUs = interfaceTimestamp(iface, u32(b, o + 12, le), u32(b, o + 16, le));
        this.emit(b, o + 28, caplen, u32(b, o + 24, le), tsUs, iface.linkType, this.interfaceBase + ifId);
        return;
      }
      case BLOCK_SPB: {
        if (len < 16) return this.corruptBlock('simple packet block', len);
        const iface = this.packetInterface(0);
        if (iface === null) return;
        const wire = u32(b, o + 8, le);
        // A simple packet block holds min(original length, snaplen) bytes and no timestamp:
        // it takes the previous packet's time so that time never runs backwards.
        let caplen = Math.min(wire, len - 16);
        if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
        if (!this.checkBlockCaplen(caplen, len - 16, iface)) return;
        this.emit(b, o + 12, caplen, wire, this.lastTsUs, iface.linkType, this.interfaceBase);
        return;
      }
      case BLOCK_PB: {
        if (len < 32) return this.corruptBlock('packet block', len);
        const ifId = u16(b, o + 8, le);
        const iface = this.packetInterface(ifId);
        if (iface === null) return;
        const caplen = u32(b, o + 20, le);
        if (!this.checkBlockCaplen(caplen, len - 32, iface)) return;
        const tsUs = interfaceTimestamp(iface, u32(b, o + 12, le), u32(b, o + 16, le));
        this.emit(b, o + 28, caplen, u32(b, o + 24, le), tsUs, iface.linkType, this.interfaceBase + ifId);
        return;
      }
      default:
        this.skippedBlocks++;
    }
  }

  private sectionHeader(b: Uint8Array, o: number, len: number): void {
    const le = u32le(b, o + 8) === BYTE_ORDER_MAGIC;
    if (len < 28) return this.corruptBlock('section header block', len);
    if (u32(b, o + len - 4, le) !== len) {
      this.fail(this.offset, `corrupt pcapng block at byte ${this.offset}: trailing length does not match ${len}`);
      return;
    }
    const major = u16(b, o + 12, le);
    if (major !== 1) {
      this.fail(this.offset, `unsupported pcapng version ${major}.${u16(b, o + 14, le)} at byte ${this.offset}`);
      return;
    }
    this.le = le;
    this.interfaceBase += this.interfaces.length;
    this.interfaces = [];
  }

  private interfaceDescription(b: Uint8Array, o: number, len: number): void {
    if (len < 20) return this.corruptBlock('interface description block', len);
    const le = this.le;
    const snaplen = u32(b, o + 12, le);
    let tsresol = 6;
    let tsOffsetSec = 0;
    // Options are advisory: a malformed list ends option parsing, not the capture.
    const end = o + len - 4;
    let p = o + 16;
    while (p + 4 <= end) {
      const code = u16(b, p, le);
      const optLen = u16(b, p + 2, le);
      if (code === OPT_END || p + 4 + optLen > end) break;
      if (code === OPT_IF_TSRESOL && optLen >= 1) tsresol = b[p + 4]!;
      else if (code === OPT_IF_TSOFFSET && optLen >= 8) {
        const first = u32(b, p + 4, le);
        const second = u32(b, p + 8, le);
        const hi = le ? second | 0 : first | 0;
        const lo = le ? first : second;
        tsOffsetSec = hi * TWO_32 + lo;
      }
      p += 4 + ((optLen + 3) & ~3);
    }
    this.interfaces.push(makeInterface(u16(b, o + 8, le), snaplen, this.maxCaplen, tsresol, tsOffsetSec));
  }

  private packetInterface(ifId: number): PcapngInterface | null {
    const iface = this.interfaces[ifId];
    if (iface !== undefined) return iface;
    this.fail(
      this.offset,
      `corrupt pcapng packet block at byte ${this.offset}: interface ${ifId} was not described ` +
        `(section has ${this.interfaces.length})`,
    );
    return null;
  }

  private checkBlockCaplen(caplen: number, room: number, iface: PcapngInterface): boolean {
    if (caplen > room) {
      this.fail(
        this.offset,
        `corrupt pcapng packet block at byte ${this.offset}: captured length ${caplen} runs past the block`,
      );
      return false;
    }
    if (caplen > iface.caplenLimit) {
      this.fail(
        this.offset,
        `corrupt pcapng packet block at byte ${this.offset}: captured length ${caplen} ` +
          `exceeds the limit of ${iface.caplenLimit} bytes`,
      );
      return false;
    }
    return true;
  }

  private corruptBlock(what: string, len: number): void {
    this.fail(this.offset, `corrupt ${what} at byte ${this.offset}: block length ${len} is too short`);
  }

  private emit(
    b: Uint8Array,
    start: number,
    caplen: number,
    wireLength: number,
    tsUs: number,
    linkType: number,
    interfaceId: number,
  ): void {
    const f = this.frame;
    f.num = ++this.frames;
    f.tsUs = tsUs;
    f.linkType = linkType;
    f.data = frameView(b, start, start + caplen);
    f.wireLength = wireLength;
    f.interfaceId = interfaceId;
    this.bytes += caplen;
    this.lastTsUs = tsUs;
    this.onFrame(f);
  }

  private fail(offset: number, what: string): void {
    this.error = { message: `${this.name}: ${what}`, offset };
    this.state = STATE_STOPPED;
  }
}

const BLOCK_NAMES = new Map<number, string>([
  [BLOCK_SHB, 'section header block'],
  [BLOCK_IDB, 'interface description block'],
  [BLOCK_PB, 'packet block'],
  [BLOCK_SPB, 'simple packet block'],
  [BLOCK_EPB, 'enhanced packet block'],
]);

interface PcapMagicKind {
  le: boolean;
  nanos: boolean;
  modified: boolean;
}

const PCAP_MAGICS = new Map<number, PcapMagicKind>([
  [MAGIC_US, { le: true, nanos: false, modified: false }],
  [MAGIC_US_SWAPPED, { le: false, nanos: false, modified: false }],
  [MAGIC_NS, { le: true, nanos: true, modified: false }],
  [MAGIC_NS_SWAPPED, { le: false, nanos: true, modified: false }],
  [MAGIC_MODIFIED, { le: true, nanos: false, modified: true }],
  [MAGIC_MODIFIED_SWAPPED, { le: false, nanos: false, modified: true }],
]);

/** The magic number read little-endian: its value tells the file's byte order and resolution. */
function pcapMagicKind(magicLe: number): PcapMagicKind | null {
  return PCAP_MAGICS.get(magicLe) ?? null;
}

/** A caplen far above the declared snaplen can only come from a corrupt length field. */
function caplenLimit(maxCaplen: number, snaplen: number): number {
  return snaplen > 0 ? Math.min(maxCaplen, snaplen * 2) : maxCaplen;
}

function makeInterface(
  linkType: number,
  snaplen: number,
  maxCaplen: number,
  tsresol: number,
  tsOffsetSec: number,
): PcapngInterface {
  const iface: PcapngInterface = {
    linkType,
    snaplen,
    caplenLimit: caplenLimit(maxCaplen, snaplen),
    tsMode: TS_MICRO,
    tsFactor: 1,
    tsQuot: 0,
    tsRem: 0,
    tsOffsetUs: tsOffsetSec * 1e6,
  };
  if ((tsresol & 0x80) !== 0) {
    iface.tsMode = TS_BINARY;
    iface.tsFactor = tsresol & 0x7f;
  } else if (tsresol < 6) {
    iface.tsMode = TS_MULTIPLY;
    iface.tsFactor = 10 ** (6 - tsresol);
  } else if (tsresol > 6) {
    const divisor = 10 ** (tsresol - 6);
    iface.tsFactor = divisor;
    if (divisor <= 1e9) {
      // Exact integer arithmetic: ticks = hi * 2^32 + lo may exceed 2^53 at nanosecond resolution.
      iface.tsMode = TS_DIVIDE;
      iface.tsQuot = Math.floor(TWO_32 / divisor);
      iface.tsRem = TWO_32 % divisor;
    } else {
      iface.tsMode = TS_FLOAT_DIVIDE;
    }
  }
  return iface;
}

function interfaceTimestamp(iface: PcapngInterface, hi: number, lo: number): number {
  let us: number;
  switch (iface.tsMode) {
    case TS_MICRO:
      us = hi * TWO_32 + lo;
      break;
    case TS_DIVIDE:
      us = hi * iface.tsQuot + Math.floor((hi * iface.tsRem + lo) / iface.tsFactor);
      break;
    case TS_MULTIPLY:
      us = (hi * TWO_32 + lo) * iface.tsFactor;
      break;
    case TS_BINARY: {
      const bits = iface.tsFactor;
      if (bits <= 32) {
        const unit = 2 ** bits;
        const whole = hi * 2 ** (32 - bits) + Math.floor(lo / unit);
        us = whole * 1e6 + Math.floor(((lo % unit) * 1e6) / unit);
      } else {
        us = Math.floor((hi / 2 ** (bits - 32) + lo / 2 ** bits) * 1e6);
      }
      break;
    }
    default:
      us = Math.floor((hi * TWO_32 + lo) / iface.tsFactor);
  }
  return us + iface.tsOffsetUs;
}
