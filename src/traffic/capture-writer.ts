import { closeSync, openSync, writeSync } from 'node:fs';
import { concatBytes, toBytes } from './bytes.js';
import { LINKTYPE_ETHERNET } from '../types/link-types.js';
import type { BuiltPacket } from './packets.js';

export type ByteOrder = 'le' | 'be';

/** Receives encoded capture bytes in order. */
export type ByteSink = (bytes: Uint8Array) => void;

class FieldWriter {
  constructor(readonly le: boolean) {}
  u16(b: Uint8Array, o: number, v: number): void {
    if (this.le) {
      b[o] = v & 0xff;
      b[o + 1] = (v >>> 8) & 0xff;
    } else {
      b[o] = (v >>> 8) & 0xff;
      b[o + 1] = v & 0xff;
    }
  }
  u32(b: Uint8Array, o: number, v: number): void {
    v >>>= 0;
    if (this.le) {
      b[o] = v & 0xff;
      b[o + 1] = (v >>> 8) & 0xff;
      b[o + 2] = (v >>> 16) & 0xff;
      b[o + 3] = (v >>> 24) & 0xff;
    } else {
      b[o] = (v >>> 24) & 0xff;
      b[o + 1] = (v >>> 16) & 0xff;
      b[o + 2] = (v >>> 8) & 0xff;
      b[o + 3] = v & 0xff;
    }
  }
}

export interface PcapOptions {
  byteOrder?: ByteOrder;
  /** Timestamp resolution: microseconds (magic a1b2c3d4, default) or nanoseconds (a1b23c4d). */
  resolution?: 'us' | 'ns';
  snaplen?: number;
  /** Link type of the file (default: the first packet's, else Ethernet). */
  linkType?: number;
}

/** Streams a libpcap file: header first, then one record per packet. */
export class PcapWriter {
  private readonly f: FieldWriter;
  private readonly ns: boolean;
  private linkType: number | undefined;
  private readonly snaplen: number;
  /** The file header, until it is written (with the first packet, or by finish()). */
  private header: Uint8Array | null = new Uint8Array(24);

  constructor(
    private readonly sink: ByteSink,
    options: PcapOptions = {},
  ) {
    this.f = new FieldWriter((options.byteOrder ?? 'le') === 'le');
    this.ns = options.resolution === 'ns';
    this.linkType = options.linkType;
    this.snaplen = options.snaplen ?? 262144;
  }

  write(p: BuiltPacket): void {
    const linkType = p.linkType ?? LINKTYPE_ETHERNET;
    if (this.header !== null) {
      this.linkType ??= linkType;
      this.writeHeader();
    }
    if (linkType !== this.linkType) {
      throw new Error(`a pcap file has one link type (${this.linkType}); packet has ${linkType}: use pcapng`);
    }
    const rec = new Uint8Array(16);
    const sec = Math.floor(p.tsUs / 1e6);
    const us = p.tsUs - sec * 1e6;
    this.f.u32(rec, 0, sec);
    this.f.u32(rec, 4, this.ns ? us * 1000 + (p.extraNs ?? 0) : us);
    this.f.u32(rec, 8, p.frame.length);
    this.f.u32(rec, 12, p.wireLength ?? p.frame.length);
    this.sink(rec);
    this.sink(p.frame);
  }

  /** Writes the file header if no packet did (an empty capture). */
  finish(): void {
    if (this.header !== null) this.writeHeader();
  }

  private writeHeader(): void {
    const h = this.header!;
    this.header = null;
    this.f.u32(h, 0, this.ns ? 0xa1b23c4d : 0xa1b2c3d4);
    this.f.u16(h, 4, 2);
    this.f.u16(h, 6, 4);
    this.f.u32(h, 16, this.snaplen);
    this.f.u32(h, 20, this.linkType ?? LINKTYPE_ETHERNET);
    this.sink(h);
  }
}

export interface PcapngInterfaceSpec {
  linkType?: number;
  snaplen?: number;
  /** The if_tsresol byte: 6 = microseconds (default), 9 = nanoseconds, 0x80|n = 2^-n seconds. */
  tsresol?: number;
  /** if_tsoffset in seconds, added by readers to every timestamp. */
  tsoffsetSec?: number;
  name?: string;
}

interface WrittenInterface {
  tsresol: number;
  tsoffsetSec: number;
}

/**
 * Block-level pcapng writer: sections, interfaces, enhanced/simple/obsolete packet blocks
 * and arbitrary blocks, in either byte order. encodePcapng covers the usual case.
 */
export class PcapngWriter {
  private f: FieldWriter;
  private interfaces: WrittenInterface[] = [];

  constructor(
    private readonly sink: ByteSink,
    options: { byteOrder?: ByteOrder } = {},
  ) {
    this.f = new FieldWriter((options.byteOrder ?? 'le') === 'le');
  }

  /** Starts a section (a writer must start with one); interfaces are numbered afresh in each. */
  section(options: { byteOrder?: ByteOrder } = {}): this {
    if (options.byteOrder !== undefined) this.f = new FieldWriter(options.byteOrder === 'le');
    const body = new Uint8Array(16);
    this.f.u32(body, 0, 0x1a2b3c4d);
    this.f.u16(body, 4, 1);
    this.f.u16(body, 6, 0);
    body.fill(0xff, 8, 16); // section length unknown
    this.interfaces = [];
    return this.block(0x0a0d0d0a, body);
  }

  /** Describes an interface; returns its id within the section. */
  addInterface(spec: PcapngInterfaceSpec = {}): number {
    const fixed = new Uint8Array(8);
    this.f.u16(fixed, 0, spec.linkType ?? LINKTYPE_ETHERNET);
    this.f.u32(fixed, 4, spec.snaplen ?? 0);
    const options: Uint8Array[] = [];
    if (spec.name !== undefined) options.push(this.option(2, toBytes(spec.name)));
    const tsresol = spec.tsresol ?? 6;
    if (tsresol !== 6) options.push(this.option(9, Uint8Array.of(tsresol)));
    const tsoffsetSec = spec.tsoffsetSec ?? 0;
    if (tsoffsetSec !== 0) {
      const v = new Uint8Array(8);
      const hi = Math.floor(tsoffsetSec / 4294967296);
      const lo = tsoffsetSec - hi * 4294967296;
      this.f.u32(v, this.f.le ? 0 : 4, lo);
      this.f.u32(v, this.f.le ? 4 : 0, hi);
      options.push(this.option(14, v));
    }
    if (options.length > 0) options.push(new Uint8Array(4)); // opt_endofopt
    this.block(1, concatBytes([fixed, ...options]));
    this.interfaces.push({ tsresol, tsoffsetSec });
    return this.interfaces.length - 1;
  }

  enhancedPacket(
    interfaceId: number,
    tsUs: number,
    data: Uint8Array,
    options: { wireLength?: number; extraNs?: number } = {},
  ): this {
    const [hi, lo] = this.ticks(interfaceId, tsUs, options.extraNs ?? 0);
    const head = new Uint8Array(20);
    this.f.u32(head, 0, interfaceId);
    this.f.u32(head, 4, hi);
    this.f.u32(head, 8, lo);
    this.f.u32(head, 12, data.length);
    this.f.u32(head, 16, options.wireLength ?? data.length);
    return this.block(6, concatBytes([head, data, padding(data.length)]));
  }

  /** A simple packet block: no timestamp, interface 0, captured length implied by the block. */
  simplePacket(data: Uint8Array, wireLength = data.length): this {
    const head = new Uint8Array(4);
    this.f.u32(head, 0, wireLength);
    return this.block(3, concatBytes([head, data, padding(data.length)]));
  }

  /** The obsolete packet block (type 2) that old writers produced. */
  obsoletePacket(interfaceId: number, tsUs: number, data: Uint8Array, wireLength = data.length): this {
    const [hi, lo] = this.ticks(interfaceId, tsUs, 0);
    const head = new Uint8Array(20);
    this.f.u16(head, 0, interfaceId);
    this.f.u16(head, 2, 0);
    this.f.u32(head, 4, hi);
    this.f.u32(head, 8, lo);
    this.f.u32(head, 12, data.length);
    this.f.u32(head, 16, wireLength);
    return this.block(2, concatBytes([head, data, padding(data.length)]));
  }

  /** Any block (name resolution, statistics, custom, or a type no reader knows). */
  block(type: number, body: Uint8Array): this {
    const padded = body.length % 4 === 0 ? body : concatBytes([body, padding(body.length)]);
    const total = padded.length + 12;
    const head = new Uint8Array(8);
    this.f.u32(head, 0, type);
    this.f.u32(head, 4, total);
    const tail = new Uint8Array(4);
    this.f.u32(tail, 0, total);
    this.sink(head);
    this.sink(padded);
    this.sink(tail);
    return this;
  }

  private option(code: number, value: Uint8Array): Uint8Array {
    const head = new Uint8Array(4);
    this.f.u16(head, 0, code);
    this.f.u16(head, 2, value.length);
    return concatBytes([head, value, padding(value.length)]);
  }

  private ticks(interfaceId: number, tsUs: number, extraNs: number): [number, number] {
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) throw new Error(`interface ${interfaceId} was not added to this section`);
    const us = BigInt(Math.round(tsUs - iface.tsoffsetSec * 1e6));
    const r = iface.tsresol;
    let t: bigint;
    if ((r & 0x80) !== 0) {
      const bits = BigInt(r & 0x7f);
      t = ((us * 1000n + BigInt(extraNs)) << bits) / 1_000_000_000n;
    } else if (r >= 9) {
      t = (us * 1000n + BigInt(extraNs)) * 10n ** BigInt(r - 9);
    } else if (r >= 6) {
      t = us * 10n ** BigInt(r - 6) + (BigInt(extraNs) * 10n ** BigInt(r - 6)) / 1000n;
    } else {
      t = us / 10n ** BigInt(6 - r);
    }
    t = BigInt.asUintN(64, t);
    return [Number(t >> 32n), Number(t & 0xffffffffn)];
  }
}

function padding(len: number): Uint8Array {
  return new Uint8Array((4 - (len % 4)) % 4);
}

export interface PcapngOptions {
  byteOrder?: ByteOrder;
  /** Shortcut for the if_tsresol of every interface: 'us' (6) or 'ns' (9). */
  resolution?: 'us' | 'ns';
  /** Explicit if_tsresol byte; wins over `resolution`. */
  tsresol?: number;
  snaplen?: number;
}

/** Writes packets as one pcapng section, one interface per link type in order of first use. */
export class PcapngPacketWriter {
  private readonly w: PcapngWriter;
  private readonly ifaceByLink = new Map<number, number>();
  private readonly tsresol: number;
  private readonly snaplen: number;
  private started = false;

  constructor(sink: ByteSink, options: PcapngOptions = {}) {
    this.w = new PcapngWriter(sink, options.byteOrder !== undefined ? { byteOrder: options.byteOrder } : {});
    this.tsresol = options.tsresol ?? (options.resolution === 'ns' ? 9 : 6);
    this.snaplen = options.snaplen ?? 0;
  }

  write(p: BuiltPacket): void {
    this.start();
    const linkType = p.linkType ?? LINKTYPE_ETHERNET;
    let id = this.ifaceByLink.get(linkType);
    if (id === undefined) {
      id = this.w.addInterface({ linkType, tsresol: this.tsresol, snaplen: this.snaplen });
      this.ifaceByLink.set(linkType, id);
    }
    this.w.enhancedPacket(id, p.tsUs, p.frame, {
      ...(p.wireLength !== undefined ? { wireLength: p.wireLength } : {}),
      ...(p.extraNs !== undefined ? { extraNs: p.extraNs } : {}),
    });
  }

  finish(): void {
    this.start();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.w.section();
  }
}

function collect(fill: (sink: ByteSink) => void): Uint8Array {
  const parts: Uint8Array[] = [];
  fill((b) => parts.push(b.slice()));
  return concatBytes(parts);
}

export function encodePcap(packets: Iterable<BuiltPacket>, options: PcapOptions = {}): Uint8Array {
  return collect((sink) => {
    const w = new PcapWriter(sink, options);
    for (const p of packets) w.write(p);
    w.finish();
  });
}

export function encodePcapng(packets: Iterable<BuiltPacket>, options: PcapngOptions = {}): Uint8Array {
  return collect((sink) => {
    const w = new PcapngPacketWriter(sink, options);
    for (const p of packets) w.write(p);
    w.finish();
  });
}

/** Builds a pcapng file block by block (several sections, interfaces, unusual blocks). */
export function buildPcapng(fill: (w: PcapngWriter) => void, options: { byteOrder?: ByteOrder } = {}): Uint8Array {
  return collect((sink) => fill(new PcapngWriter(sink, options)));
}

/** Buffers output in large writes to a file descriptor. */
class FileSink {
  private readonly fd: number;
  private readonly buf = new Uint8Array(1 << 20);
  private used = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  readonly write = (bytes: Uint8Array): void => {
    if (this.used + bytes.length > this.buf.length) this.flush();
    if (bytes.length >= this.buf.length) {
      writeAll(this.fd, bytes);
      return;
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  };

  flush(): void {
    if (this.used > 0) writeAll(this.fd, this.buf.subarray(0, this.used));
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let o = 0;
  while (o < bytes.length) o += writeSync(fd, bytes, o, bytes.length - o);
}

export type CaptureFileOptions = ({ format: 'pcap' } & PcapOptions) | ({ format: 'pcapng' } & PcapngOptions);

/** Writes packets to a capture file as they come, in constant memory (for large captures). */
export class CaptureFileWriter {
  private readonly sink: FileSink;
  private readonly writer: PcapWriter | PcapngPacketWriter;

  constructor(path: string, options: CaptureFileOptions) {
    this.sink = new FileSink(path);
    this.writer =
      options.format === 'pcap' ? new PcapWriter(this.sink.write, options) : new PcapngPacketWriter(this.sink.write, options);
  }

  write(packet: BuiltPacket): void {
    this.writer.write(packet);
  }

  writeAll(packets: Iterable<BuiltPacket>): void {
    for (const p of packets) this.writer.write(p);
  }

  close(): void {
    this.writer.finish();
    this.sink.close();
  }
}

export function writePcap(path: string, packets: Iterable<BuiltPacket>, options: PcapOptions = {}): void {
  const w = new CaptureFileWriter(path, { ...options, format: 'pcap' });
  try {
    w.writeAll(packets);
  } finally {
    w.close();
  }
}

export function writePcapng(path: string, packets: Iterable<BuiltPacket>, options: PcapngOptions = {}): void {
  const w = new CaptureFileWriter(path, { ...options, format: 'pcapng' });
  try {
    w.writeAll(packets);
  } finally {
    w.close();
  }
}
