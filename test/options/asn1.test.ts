/** asn1: BER decoding checks (bitstring_overflow, double_overflow, oversize_length) from an offset. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asn1Violation, ASN1_MAX_NODES, type Asn1Checks } from '../../src/options/payload/asn1.js';
import { udpPacket } from '../../src/traffic/index.js';
import { scanPackets, sids } from '../match/helpers.js';
import { err, ok, print } from './helpers.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const checks = (c: Partial<Asn1Checks>): Asn1Checks => ({ bitstringOverflow: false, doubleOverflow: false, oversizeLength: -1, ...c });
const violates = (data: string, c: Partial<Asn1Checks>): boolean => {
  const b = hex(data);
  return asn1Violation(b, 0, b.length, checks(c));
};

describe('asn1 options', () => {
  it('reads the checks and offsets, separated by commas or blanks', () => {
    expect(ok('asn1', 'double_overflow, bitstring_overflow, relative_offset 27, oversize_length 2048')).toEqual({
      bitstringOverflow: true, doubleOverflow: true, relativeOffset: 27, oversizeLength: 2048, relative: true,
    });
    expect(ok('asn1', 'oversize_length 1024,relative_offset -1')).toEqual({
      bitstringOverflow: false, doubleOverflow: false, oversizeLength: 1024, relativeOffset: -1, relative: true,
    });
    expect(ok('asn1', 'BITSTRING_OVERFLOW absolute_offset 0')).toEqual({ bitstringOverflow: true, doubleOverflow: false, absoluteOffset: 0, relative: false });
  });

  it('prints canonically', () => {
    expect(print('asn1', ok('asn1', 'oversize_length 2048,double_overflow  bitstring_overflow, relative_offset 27'))).toBe(
      'bitstring_overflow, double_overflow, oversize_length 2048, relative_offset 27',
    );
  });

  it('says what to write instead', () => {
    expect(err('asn1', 'oversize_length')).toMatchObject({ message: 'asn1 oversize_length needs a number from 0 to 4294967295: write oversize_length 2048', offset: 0 });
    expect(err('asn1', 'relative_offset 70000, bitstring_overflow')).toMatchObject({ message: 'asn1 relative_offset needs a number from -65535 to 65535: write relative_offset 0', offset: 16, length: 5 });
    expect(err('asn1', 'bitstring_overflow, overflow')).toMatchObject({ message: expect.stringContaining('unknown asn1 option "overflow"'), offset: 20, length: 8 });
    expect(err('asn1', 'double_overflow, double_overflow')).toMatchObject({ message: 'asn1 has double_overflow twice: remove one', offset: 17 });
    expect(err('asn1', 'absolute_offset 0, relative_offset 2, double_overflow')).toMatchObject({ message: expect.stringContaining('not both') });
    expect(err('asn1', 'absolute_offset 4')).toMatchObject({ message: expect.stringContaining('without a check never matches') });
  });
});

describe('asn1 decoding', () => {
  it('oversize_length: a declared length greater than the bound, even when the data is cut short', () => {
    const octets133 = '04 81 85' + '00'.repeat(133);
    expect(violates(octets133, { oversizeLength: 132 })).toBe(true);
    expect(violates(octets133, { oversizeLength: 133 })).toBe(false);
    // A SEQUENCE declaring 2 GB with nine bytes behind it (the MS04-007 shape).
    expect(violates('30 84 7f ff ff ff 02 01 00', { oversizeLength: 1000 })).toBe(true);
    // A length field over 32 bits.
    expect(violates('04 85 01 00 00 00 00', { oversizeLength: 4294967295 })).toBe(true);
    expect(violates('04 85 01 00 00 00 00', { bitstringOverflow: true })).toBe(false);
  });

  it('walks into constructed objects of any class and along top-level peers', () => {
    expect(violates('30 08 02 01 05 04 83 01 00 00', { oversizeLength: 4096 })).toBe(true);
    expect(violates('a1 06 a0 04 04 82 20 00', { oversizeLength: 4096 })).toBe(true);
    expect(violates('02 01 05 04 82 10 01', { oversizeLength: 4096 })).toBe(true);
    // After a SEQUENCE the walk resumes where the SEQUENCE said it ends, even when a child
    // claimed more: the BIT STRING behind it is still examined.
    expect(violates('30 03 04 05 00 03 01 ff', { bitstringOverflow: true })).toBe(true);
    expect(violates('30 03 04 05 00 03 01 00', { bitstringOverflow: true })).toBe(false);
    // Indefinite length: the content runs on; end-of-contents is an object of length 0.
    expect(violates('30 80 04 82 10 00 00 00', { oversizeLength: 4095 })).toBe(true);
  });

  it('bitstring_overflow: more unused bits than the content holds', () => {
    expect(violates('03 01 ff', { bitstringOverflow: true })).toBe(true);
    expect(violates('03 01 07', { bitstringOverflow: true })).toBe(true);
    expect(violates('03 01 00', { bitstringOverflow: true })).toBe(false);
    expect(violates('03 02 07 80', { bitstringOverflow: true })).toBe(false);
    expect(violates('03 02 09 80', { bitstringOverflow: true })).toBe(true);
    // Only a universal, primitive BIT STRING: context tag 3 and a constructed one are not.
    expect(violates('83 01 ff', { bitstringOverflow: true })).toBe(false);
    expect(violates('23 03 03 01 00', { bitstringOverflow: true })).toBe(false);
    expect(violates('30 03 03 01 ff', { bitstringOverflow: true })).toBe(true);
  });

  it('double_overflow: a decimal REAL longer than 256 bytes', () => {
    const real = (len: number, first: string): string => `09 82 ${len.toString(16).padStart(4, '0')} ${first}` + '31'.repeat(len - 1);
    expect(violates(real(257, '03'), { doubleOverflow: true })).toBe(true);
    expect(violates(real(256, '03'), { doubleOverflow: true })).toBe(false);
    expect(violates(real(257, '80'), { doubleOverflow: true })).toBe(false);
    expect(violates(real(257, '03'), { oversizeLength: 300 })).toBe(false);
  });

  it('stops at a malformed header and after ASN1_MAX_NODES objects, keeping what it saw', () => {
    expect(violates('04 81', { oversizeLength: 0 })).toBe(false);
    expect(violates('04 02 00 00 04', { oversizeLength: 1 })).toBe(true);
    const many = '05 00'.repeat(ASN1_MAX_NODES) + '04 82 10 00';
    expect(violates(many, { oversizeLength: 100 })).toBe(false);
    expect(violates('05 00'.repeat(ASN1_MAX_NODES - 1) + '04 82 10 00', { oversizeLength: 100 })).toBe(true);
    // 200 nested SEQUENCEs go past the depth bound without a throw.
    expect(violates('30 80'.repeat(200), { oversizeLength: 100 })).toBe(false);
  });

  it('any bytes: returns an answer without throwing, the same from a copy of the range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(600), fc.boolean(), fc.boolean(), fc.integer({ min: -1, max: 300 }), (b, at, bits, dbl, size) => {
        const start = Math.min(at, b.length);
        const c = checks({ bitstringOverflow: bits, doubleOverflow: dbl, oversizeLength: size });
        const r = asn1Violation(b, start, b.length, c);
        expect(typeof r).toBe('boolean');
        expect(asn1Violation(b.slice(start), 0, b.length - start, c)).toBe(r);
      }),
      { numRuns: 2000 },
    );
  });

  it('fires in a rule, from the offset after the previous match', async () => {
    const rules = [
      'alert udp any any -> any 161 (msg:"snmp oversize"; content:"|30|"; depth:1; asn1:oversize_length 1000, relative_offset -1; sid:1;)',
      'alert udp any any -> any 161 (msg:"snmp bitstring"; asn1:bitstring_overflow, absolute_offset 2; sid:2;)',
    ].join('\n');
    const pkt = (payload: Uint8Array, ts: number) => udpPacket({ src: '10.0.0.1:1000', dst: '10.0.0.2:161', payload, tsUs: ts });
    const alerts = await scanPackets(rules, [
      pkt(hex('30 84 00 01 00 00 02 01 00'), 1_000_000),
      pkt(hex('30 05 02 01 00 04 00'), 2_000_000),
      pkt(hex('ff ff 03 01 ff'), 3_000_000),
      pkt(hex('03 01 ff'), 4_000_000),
    ]);
    expect(alerts.map((a) => [a.sid, a.pcapCnt])).toEqual([[1, 1], [2, 3]]);
    expect(sids(alerts)).toEqual([1, 2]);
  });
});
