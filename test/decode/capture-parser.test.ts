import { describe, expect, it } from 'vitest';
import {
  buildPcapng,
  type BuiltPacket,
  encodePcap,
  encodePcapng,
  relink,
  udpPacket,
} from '../../src/traffic/index.js';
import { hex, parseAll } from './helpers.js';
import { isCaptureMagic } from '../../src/decode/index.js';

const T0 = 1_700_000_000_123_456;

function samplePackets(): BuiltPacket[] {
  return [1, 7, 30, 0, 250].map((n, i) =>
    udpPacket({
      src: '10.0.0.1:1000',
      dst: '10.0.0.2:2000',
      payload: 'x'.repeat(n),
      tsUs: T0 + i * 1_000_001,
    }),
  );
}

describe('libpcap', () => {
  for (const byteOrder of ['le', 'be'] as const) {
    for (const resolution of ['us', 'ns'] as const) {
      it(`reads ${byteOrder} ${resolution} files with exact timestamps and lengths`, () => {
        const packets = samplePackets();
        packets[2] = { ...packets[2]!, extraNs: 999 };
        const { frames, error, parser } = parseAll(encodePcap(packets, { byteOrder, resolution }));
        expect(error).toBeUndefined();
        expect(parser.format).toBe('pcap');
        expect(frames.map((f) => f.num)).toEqual([1, 2, 3, 4, 5]);
        // Nanoseconds below a microsecond are dropped, never rounded up.
        expect(frames.map((f) => f.tsUs)).toEqual(packets.map((p) => p.tsUs));
        expect(frames.map((f) => hex(f.data))).toEqual(packets.map((p) => hex(p.frame)));
        expect(frames.every((f) => f.linkType === 1 && f.interfaceId === 0)).toBe(true);
        expect(parser.bytes).toBe(packets.reduce((n, p) => n + p.frame.length, 0));
      });
    }
  }

  it('reports the original length of snapped frames', () => {
    const p = { ...samplePackets()[4]!, wireLength: 9000 };
    const { frames } = parseAll(encodePcap([p]));
    expect(frames[0]!.wireLength).toBe(9000);
    expect(frames[0]!.data.length).toBe(p.frame.length);
  });

  it('takes the link type from the header and ignores its FCS bits', () => {
    const raw = relink(samplePackets()[0]!, 101);
    const bytes = encodePcap([raw]);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setUint32(20, 101 | 0x14000000, true);
    expect(parseAll(bytes).frames[0]!.linkType).toBe(101);
  });

  it('reads the modified (Kuznetzov) format with its 24-byte record headers', () => {
    const packets = samplePackets().slice(0, 2);
    const plain = encodePcap(packets);
    const parts: number[] = [...plain.subarray(0, 24)];
    parts[0] = 0x34;
    parts[1] = 0xcd; // magic a1b2cd34, little-endian
    let o = 24;
    for (const p of packets) {
      parts.push(...plain.subarray(o, o + 16), ...new Uint8Array(8), ...p.frame);
      o += 16 + p.frame.length;
    }
    const { frames, error } = parseAll(Uint8Array.from(parts));
    expect(error).toBeUndefined();
    expect(frames.map((f) => hex(f.data))).toEqual(packets.map((p) => hex(p.frame)));
    // And the CLI's sniffing of inputs takes it for a capture, as every other pcap variant.
    expect(isCaptureMagic(Uint8Array.from(parts.slice(0, 4)))).toBe(true);
    expect(isCaptureMagic(Uint8Array.from([0xa1, 0xb2, 0xcd, 0x34]))).toBe(true);
    expect(isCaptureMagic(Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a]))).toBe(true);
    expect(isCaptureMagic(new TextEncoder().encode('Mar '))).toBe(false);
  });

  it('gives the same frames whatever the chunk size', () => {
    const bytes = encodePcap(samplePackets());
    const whole = parseAll(bytes).frames.map((f) => hex(f.data));
    for (const size of [1, 2, 3, 5, 16, 17, 24, 41, 100, 333]) {
      const { frames, error } = parseAll(bytes, size);
      expect(error).toBeUndefined();
      expect(frames.map((f) => hex(f.data))).toEqual(whole);
    }
  });

  it('calls an absurd captured length corruption and names its offset', () => {
    const packets = samplePackets();
    const bytes = encodePcap(packets);
    const second = 24 + 16 + packets[0]!.frame.length;
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(second + 8, 300_000, true);
    const { frames, error } = parseAll(bytes);
    expect(frames).toHaveLength(1);
    expect(error!.offset).toBe(second);
    expect(error!.message).toBe(
      `test.pcap: corrupt packet record at byte ${second}: captured length 300000 exceeds the limit of 262144 bytes`,
    );
  });

  it('reads pcap records longer than the header snaplen whole, as libpcap does', () => {
    const packets = samplePackets();
    const bytes = encodePcap(packets, { snaplen: 64 });
    const { frames, error } = parseAll(bytes);
    // Frames of 43..293 bytes, all past a snaplen of 64 but for the first: every one is read.
    expect(frames).toHaveLength(packets.length);
    expect(error).toBeUndefined();
  });

  it('rejects unknown magic and empty input with offset 0', () => {
    const bad = parseAll(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(bad.error).toEqual({
      message: 'test.pcap: not a pcap or pcapng file: unknown magic number 0x04030201 at byte 0',
      offset: 0,
    });
    const empty = parseAll(new Uint8Array(0));
    expect(empty.error).toEqual({ message: 'test.pcap: empty file: no capture header', offset: 0 });
  });

  it('delivers every whole record of every prefix and names where the damage starts', () => {
    const packets = samplePackets();
    const bytes = encodePcap(packets);
    const boundaries = [24];
    for (const p of packets) boundaries.push(boundaries.at(-1)! + 16 + p.frame.length);
    for (let len = 0; len <= bytes.length; len++) {
      const { frames, error } = parseAll(bytes.subarray(0, len), 37);
      const whole = boundaries.filter((b) => b <= len).length - 1;
      expect(frames.length).toBe(Math.max(whole, 0));
      if (boundaries.includes(len)) {
        expect(error).toBeUndefined();
      } else {
        const start = len < 24 ? 0 : boundaries.filter((b) => b <= len).at(-1)!;
        expect(error, `prefix ${len}`).toBeDefined();
        expect(error!.offset).toBe(start);
        if (len > 0) expect(error!.message).toMatch(new RegExp(`truncated .* at byte ${start} \\(needs \\d+ bytes, ${len - start} left\\)`));
      }
    }
  });

  it('words the truncation error like a sensor operator expects', () => {
    const packets = samplePackets();
    const bytes = encodePcap(packets);
    const start = 24 + 16 + packets[0]!.frame.length;
    const cut = start + 16 + 10;
    const { error } = parseAll(bytes.subarray(0, cut), 1 << 20, 'capture.pcap');
    expect(error!.message).toBe(
      `capture.pcap: truncated packet record at byte ${start} (needs ${16 + packets[1]!.frame.length} bytes, 26 left)`,
    );
  });
});

describe('pcapng', () => {
  for (const byteOrder of ['le', 'be'] as const) {
    for (const resolution of ['us', 'ns'] as const) {
      it(`reads ${byteOrder} files at ${resolution} resolution`, () => {
        const packets = samplePackets();
        const { frames, error, parser } = parseAll(encodePcapng(packets, { byteOrder, resolution }));
        expect(error).toBeUndefined();
        expect(parser.format).toBe('pcapng');
        expect(frames.map((f) => f.tsUs)).toEqual(packets.map((p) => p.tsUs));
        expect(frames.map((f) => hex(f.data))).toEqual(packets.map((p) => hex(p.frame)));
      });
    }
  }

  it('keeps each interface its own link type and timestamp resolution', () => {
    const [a, b, c] = samplePackets();
    const bytes = buildPcapng((w) => {
      w.section();
      w.addInterface({ linkType: 1, tsresol: 9 });
      w.addInterface({ linkType: 101, tsresol: 3, name: 'raw0' });
      w.addInterface({ linkType: 113, tsresol: 0x80 | 20 });
      w.addInterface({ linkType: 1, tsresol: 6, tsoffsetSec: 3600 });
      w.enhancedPacket(0, a!.tsUs, a!.frame, { extraNs: 5 });
      w.enhancedPacket(1, b!.tsUs, relink(b!, 101).frame);
      w.enhancedPacket(2, c!.tsUs, relink(c!, 113).frame);
      w.enhancedPacket(3, a!.tsUs, a!.frame);
    });
    const { frames, error } = parseAll(bytes);
    expect(error).toBeUndefined();
    expect(frames.map((f) => [f.linkType, f.interfaceId])).toEqual([
      [1, 0],
      [101, 1],
      [113, 2],
      [1, 3],
    ]);
    expect(frames[0]!.tsUs).toBe(a!.tsUs);
    // Millisecond resolution keeps milliseconds only.
    expect(frames[1]!.tsUs).toBe(Math.floor(b!.tsUs / 1000) * 1000);
    // 2^-20 s ticks: within one tick (< 1 µs) below the true time.
    expect(c!.tsUs - frames[2]!.tsUs).toBeGreaterThanOrEqual(0);
    expect(c!.tsUs - frames[2]!.tsUs).toBeLessThanOrEqual(1);
    // if_tsoffset is written as an offset and added back by the reader.
    expect(frames[3]!.tsUs).toBe(a!.tsUs);
  });

  it('skips unknown and unused blocks, and reads simple and obsolete packet blocks', () => {
    const [a, b, c] = samplePackets();
    const bytes = buildPcapng((w) => {
      w.section();
      w.block(0x0bad_cafe, Uint8Array.of(1, 2, 3, 4, 5));
      w.addInterface({ linkType: 1, snaplen: 100 });
      w.block(4, new Uint8Array(8)); // name resolution
      w.enhancedPacket(0, a!.tsUs, a!.frame);
      w.block(5, new Uint8Array(16)); // interface statistics
      w.simplePacket(b!.frame);
      w.obsoletePacket(0, c!.tsUs, c!.frame.subarray(0, 60), c!.frame.length);
      w.block(0x40000bad, new Uint8Array(0)); // custom block type
    });
    const { frames, error, parser } = parseAll(bytes, 7);
    expect(error).toBeUndefined();
    expect(parser.skippedBlocks).toBe(4);
    expect(frames).toHaveLength(3);
    expect(hex(frames[0]!.data)).toBe(hex(a!.frame));
    // The simple packet block is cut to the interface snaplen and carries the previous time.
    expect(hex(frames[1]!.data)).toBe(hex(b!.frame));
    expect(frames[1]!.tsUs).toBe(a!.tsUs);
    expect(frames[2]!.data.length).toBe(60);
    expect(frames[2]!.wireLength).toBe(c!.frame.length);
    expect(frames[2]!.tsUs).toBe(c!.tsUs);
  });

  it('cuts simple packet blocks to the snaplen', () => {
    const big = samplePackets()[4]!;
    const bytes = buildPcapng((w) => {
      w.section();
      w.addInterface({ linkType: 1, snaplen: 100 });
      w.simplePacket(big.frame);
    });
    const { frames } = parseAll(bytes);
    expect(frames[0]!.data.length).toBe(100);
    expect(frames[0]!.wireLength).toBe(big.frame.length);
  });

  it('starts interface numbering afresh in each section, byte order included', () => {
    const [a, b] = samplePackets();
    const bytes = buildPcapng((w) => {
      w.section({ byteOrder: 'le' });
      w.addInterface({ linkType: 1 });
      w.enhancedPacket(0, a!.tsUs, a!.frame);
      w.section({ byteOrder: 'be' });
      w.addInterface({ linkType: 101 });
      w.addInterface({ linkType: 1, tsresol: 9 });
      w.enhancedPacket(1, b!.tsUs, b!.frame);
      w.enhancedPacket(0, a!.tsUs, relink(a!, 101).frame);
    });
    const { frames, error } = parseAll(bytes, 13);
    expect(error).toBeUndefined();
    expect(frames.map((f) => [f.linkType, f.interfaceId, f.tsUs])).toEqual([
      [1, 0, a!.tsUs],
      [1, 2, b!.tsUs],
      [101, 1, a!.tsUs],
    ]);
  });

  it('stops on a packet for an interface the section never described', () => {
    const [a] = samplePackets();
    const bytes = buildPcapng((w) => {
      w.section();
      w.addInterface({ linkType: 1 });
      w.enhancedPacket(0, a!.tsUs, a!.frame);
      w.enhancedPacket(0, a!.tsUs, a!.frame);
    });
    // Rewrite the second packet block's interface id to 7.
    const epbLen = 32 + ((a!.frame.length + 3) & ~3);
    const second = bytes.length - epbLen;
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(second + 8, 7, true);
    const { frames, error } = parseAll(bytes);
    expect(frames).toHaveLength(1);
    expect(error!.offset).toBe(second);
    expect(error!.message).toContain('interface 7 was not described');
  });

  it('rejects block lengths that cannot be right', () => {
    const bytes = encodePcapng(samplePackets().slice(0, 2));
    const firstEpb = bytes.length - 2 * 32 - ((43 + 3) & ~3) - ((49 + 3) & ~3);
    for (const bad of [0, 13, 0xfffffff0]) {
      const copy = bytes.slice();
      new DataView(copy.buffer).setUint32(firstEpb + 4, bad, true);
      const { frames, error } = parseAll(copy);
      expect(frames).toHaveLength(0);
      expect(error!.offset).toBe(firstEpb);
      expect(error!.message).toContain(`invalid block length ${bad}`);
    }
  });

  it('delivers every whole packet block of every prefix', () => {
    const packets = samplePackets();
    const bytes = encodePcapng(packets);
    const epbSizes = packets.map((p) => 32 + ((p.frame.length + 3) & ~3));
    const firstEpb = bytes.length - epbSizes.reduce((a, b) => a + b, 0);
    expect(firstEpb).toBe(28 + 20);
    const ends = [firstEpb];
    for (const s of epbSizes) ends.push(ends.at(-1)! + s);
    for (let len = 0; len <= bytes.length; len++) {
      const { frames, error } = parseAll(bytes.subarray(0, len), 29);
      expect(frames.length, `prefix ${len}`).toBe(Math.max(ends.filter((e) => e <= len).length - 1, 0));
      // The section header (28 bytes) and interface block end on block boundaries too.
      if (len === 28 || ends.includes(len)) expect(error).toBeUndefined();
      else {
        expect(error, `prefix ${len}`).toBeDefined();
        const start = len < firstEpb ? undefined : ends.filter((e) => e <= len).at(-1)!;
        if (start !== undefined) expect(error!.offset).toBe(start);
        expect(error!.offset).toBeLessThanOrEqual(len);
      }
    }
  });
});
