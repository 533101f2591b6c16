import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { onesSum, tcpChecksumValid } from '../../src/decode/checksum.js';
import { tcpSession } from '../../src/traffic/index.js';
import { decodeBytes } from './helpers.js';

const ETHERNET = 1;

/** The plain RFC 1071 sum, byte pair by byte pair, folded. */
function referenceSum(b: Uint8Array, start: number, end: number): number {
  let s = 0;
  let i = start;
  for (; i + 1 < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (i < end) s += b[i]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

describe('TCP checksum', () => {
  it('sums any span of any memory alignment as the byte-pair reference does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.nat(7), fc.nat(7), fc.nat(300), (bytes, lead, viewLead, len) => {
        // The view itself may start at any byte of its buffer, and so may the span inside it.
        const backing = new Uint8Array(viewLead + bytes.length);
        backing.set(bytes, viewLead);
        const b = backing.subarray(viewLead);
        const start = Math.min(lead, b.length);
        const end = Math.min(b.length, start + len);
        // Folded, 0 and 0xffff are the same number in ones' complement: compared modulo 65535.
        expect(onesSum(b, start, end)).toBe(referenceSum(b, start, end) % 0xffff);
      }),
    );
  });

  it('finds right checksums right and a changed byte or checksum wrong, IPv4 and IPv6', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 1500 }), fc.boolean(), fc.nat(), (payload, v6, flip) => {
        const [client, server] = v6 ? ['[2001:db8::1]:40000', '[2001:db8::2]:80'] : ['10.0.0.1:40000', '10.0.0.2:80'];
        const s = tcpSession({ client, server, startUs: 1 }).handshake();
        s.segment('client', { data: payload });
        s.segment('client', { data: payload, offset: 0, badChecksum: true });
        const [good, bad] = s.packets().slice(-2).map((p) => decodeBytes(ETHERNET, p.frame)!);
        expect(tcpChecksumValid(good!)).toBe(true);
        expect(tcpChecksumValid(bad!)).toBe(false);
        if (payload.length > 0) {
          const frame = s.packets().at(-2)!.frame.slice();
          const at = frame.length - payload.length + (flip % payload.length);
          frame[at] = frame[at]! ^ 0x01;
          expect(tcpChecksumValid(decodeBytes(ETHERNET, frame)!)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });
});
