/**
 * Retransmissions of delivered data are compared with a retained tail of at least
 * `tcp.retainBytes` (and at most twice that) per direction: a changed byte among the last
 * retainBytes delivered is always reported, one older than twice that never is, and an
 * unchanged retransmission never is, whatever the segment sizes (the tail wraps around its
 * storage many times here). Payload buffers are scribbled over after each packet, as the
 * capture reader reuses its buffer, so the tail must hold copies.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamEngine } from '../../src/stream/stream-engine.js';
import { Conversation, RecordingSink, TestIpDecoder } from './helpers.js';

type Op = { kind: 'send'; size: number } | { kind: 'resend'; back: number; length: number; flip: number | null };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('send' as const), size: fc.integer({ min: 1, max: 3000 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('resend' as const),
      back: fc.integer({ min: 2, max: 6000 }),
      length: fc.integer({ min: 2, max: 1500 }),
      flip: fc.option(fc.nat(), { nil: null }),
    }),
  },
);

describe('retained tail for retransmission checks', () => {
  it('reports exactly the changed retransmissions it must, whatever the segment sizes', () => {
    fc.assert(
      fc.property(fc.constantFrom(16, 100, 2048), fc.array(opArb, { minLength: 1, maxLength: 60 }), fc.nat(), (r, ops, seed) => {
        const e = new StreamEngine(new TestIpDecoder().decode, { tcp: { retainBytes: r } });
        const sink = new RecordingSink();
        const c = new Conversation(1000, 50000);
        for (const p of c.handshake()) e.process(p, sink);
        const stream: number[] = [];
        let expected = 0;
        let x = seed | 1;
        const nextByte = (): number => {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          return x & 0xff;
        };
        const sendCopy = (off: number, data: Uint8Array): void => {
          const pkt = c.c(off, data);
          e.process(pkt, sink);
          pkt.payload.fill(0xee); // the reader reuses its buffer
        };
        for (const op of ops) {
          const total = stream.length;
          if (op.kind === 'send') {
            const data = new Uint8Array(op.size);
            for (let i = 0; i < data.length; i++) data[i] = nextByte();
            stream.push(...data);
            sendCopy(total, data);
            continue;
          }
          const start = total - op.back;
          const end = Math.min(start + op.length, total);
          if (start < 0 || end - start < 2) continue;
          const data = Uint8Array.from(stream.slice(start, end));
          if (op.flip !== null) {
            const q = start + (op.flip % (end - start));
            if (q >= total - r) {
              expected++; // within the last retainBytes: must be seen
              data[q - start] ^= 0x5a;
            } else if (q < total - 2 * r) {
              data[q - start] ^= 0x5a; // older than twice retainBytes: cannot be seen
            }
          }
          sendCopy(start, data);
        }
        expect(e.stats.tcpOverlapDiffData).toBe(expected);
        expect(Buffer.compare(sink.stream(true), Uint8Array.from(stream))).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
