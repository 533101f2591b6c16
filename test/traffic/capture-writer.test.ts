import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptureFile } from '../../src/decode/capture-reader.js';
import {
  buildPcapng,
  CaptureFileWriter,
  encodePcap,
  encodePcapng,
  relink,
  udpPacket,
  writePcap,
  writePcapng,
} from '../../src/traffic/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kanshi-traffic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const P = udpPacket({ src: '10.0.0.1:1', dst: '10.0.0.2:2', payload: 'abc', tsUs: 1_500_000_000_250_001 });

function hex(b: Uint8Array, from = 0, to = b.length): string {
  return Buffer.from(b.subarray(from, to)).toString('hex');
}

describe('pcap writer', () => {
  it('writes the header and records in the byte order and resolution asked for', () => {
    const le = encodePcap([P]);
    expect(hex(le, 0, 24)).toBe('d4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + '00000400' + '01000000');
    expect(hex(le, 24, 40)).toBe('002f6859' + '91d00300' + '2d000000' + '2d000000');
    const be = encodePcap([{ ...P, extraNs: 7 }], { byteOrder: 'be', resolution: 'ns', snaplen: 1500 });
    expect(hex(be, 0, 24)).toBe('a1b23c4d' + '0002' + '0004' + '00000000' + '00000000' + '000005dc' + '00000001');
    expect(hex(be, 24, 40)).toBe('59682f00' + '0ee6b66f' + '0000002d' + '0000002d');
    expect(hex(be, 40)).toBe(hex(P.frame));
  });

  it('writes a header-only file for no packets, and refuses mixed link types', () => {
    expect(encodePcap([], { linkType: 101 }).length).toBe(24);
    expect(() => encodePcap([P, relink(P, 101)])).toThrow(/one link type/);
    const raw = encodePcap([relink(P, 101)]);
    expect(raw[20]).toBe(101);
  });

  it('writes files identical to the encoded bytes', () => {
    const path = join(dir, 'a.pcap');
    writePcap(path, [P, P], { byteOrder: 'be' });
    expect(hex(readFileSync(path))).toBe(hex(encodePcap([P, P], { byteOrder: 'be' })));
    const ng = join(dir, 'a.pcapng');
    writePcapng(ng, [P, relink(P, 113)], { resolution: 'ns' });
    expect(hex(readFileSync(ng))).toBe(hex(encodePcapng([P, relink(P, 113)], { resolution: 'ns' })));
  });

  it('streams captures larger than its buffer', () => {
    const path = join(dir, 'big.pcap');
    const big = udpPacket({ src: '10.0.0.1:1', dst: '10.0.0.2:2', payload: 'x'.repeat(1400), tsUs: 1 });
    const w = new CaptureFileWriter(path, { format: 'pcap' });
    for (let i = 0; i < 2000; i++) w.write({ ...big, tsUs: i });
    w.close();
    let n = 0;
    let lastTs = -1;
    const result = readCaptureFile(path, (f) => {
      n++;
      lastTs = f.tsUs;
    });
    expect(result.error).toBeUndefined();
    expect(n).toBe(2000);
    expect(lastTs).toBe(1999);
  });
});

describe('pcapng writer', () => {
  it('writes a section, one interface per link type, and packet blocks', () => {
    const bytes = encodePcapng([P, relink(P, 101), P], { resolution: 'ns' });
    expect(hex(bytes, 0, 28)).toBe('0a0d0d0a' + '1c000000' + '4d3c2b1a' + '0100' + '0000' + 'ffffffffffffffff' + '1c000000');
    // Interface block with if_tsresol = 9 and the end-of-options marker.
    expect(hex(bytes, 28, 28 + 32)).toBe('01000000' + '20000000' + '0100' + '0000' + '00000000' + '0900' + '0100' + '09000000' + '00000000' + '20000000');
    let frames = 0;
    const types: number[] = [];
    const path = join(dir, 'x.pcapng');
    writePcapng(path, [P, relink(P, 101), P], { resolution: 'ns' });
    readCaptureFile(path, (f) => {
      frames++;
      types.push(f.linkType);
      expect(f.tsUs).toBe(P.tsUs);
    });
    expect(frames).toBe(3);
    expect(types).toEqual([1, 101, 1]);
  });

  it('pads blocks to four bytes and repeats their length at the end', () => {
    const bytes = buildPcapng((w) => w.section({ byteOrder: 'be' }).block(0x99, Uint8Array.of(1, 2, 3, 4, 5)));
    expect(hex(bytes, 28)).toBe('00000099' + '00000014' + '0102030405000000' + '00000014');
  });

  it('refuses packets for interfaces not added', () => {
    expect(() => buildPcapng((w) => w.section().enhancedPacket(0, 0, P.frame))).toThrow(/interface 0 was not added/);
  });
});
