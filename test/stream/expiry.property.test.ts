/**
 * Flow expiry against a plain model: before each packet, exactly the flows whose last packet
 * plus their state's timeout is at or before the packet's time have ended, whatever the mix of
 * timeouts (zero included), idle times, timestamps going backwards and state changes
 * (UDP flows move from "new" to "established" once answered).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamEngine } from '../../src/stream/stream-engine.js';
import { RecordingSink, TestIpDecoder, ip4, udpPkt } from './helpers.js';

const A = ip4('10.0.0.1');
const B = ip4('10.0.0.2');

interface Step {
  tuple: number;
  reply: boolean;
  /** Time since the previous packet, in ms (negative: a timestamp going backwards). */
  dtMs: number;
}

interface ModelFlow {
  id: number;
  lastUs: number;
  /** The first packet went from A to B (A is the client). */
  clientIsA: boolean;
  established: boolean;
}

describe('flow expiry', () => {
  it('ends exactly the flows whose state timeout has passed, before each packet', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 5),
        fc.constantFrom(0, 2, 10),
        fc.array(
          fc.record({ tuple: fc.integer({ min: 0, max: 4 }), reply: fc.boolean(), dtMs: fc.integer({ min: -2_000, max: 12_000 }) }),
          { minLength: 1, maxLength: 80 },
        ),
        (newS, estS, steps: Step[]) => {
          const e = new StreamEngine(new TestIpDecoder().decode, { flow: { timeouts: { udp: { new: newS, established: estS } } } });
          const sink = new RecordingSink();
          const model = new Map<number, ModelFlow>();
          let clock = 1_000_000_000;
          let now = 0;
          let nextId = 1;
          for (const s of steps) {
            clock += s.dtMs * 1000;
            now = Math.max(now, clock);
            const expected: number[] = [];
            for (const [tuple, f] of model) {
              if (f.lastUs + (f.established ? estS : newS) * 1e6 <= now) {
                expected.push(f.id);
                model.delete(tuple);
              }
            }
            const endedBefore = sink.ended.length;
            const port = 1000 + s.tuple;
            e.process(s.reply ? udpPkt(B, A, 53, port, 'r', clock) : udpPkt(A, B, port, 53, 'q', clock), sink);
            expect(sink.ended.slice(endedBefore).sort((x, y) => x - y)).toEqual(expected.sort((x, y) => x - y));
            let f = model.get(s.tuple);
            if (f === undefined) {
              f = { id: nextId++, lastUs: now, clientIsA: !s.reply, established: false };
              model.set(s.tuple, f);
            } else {
              if (f.clientIsA === s.reply) f.established = true; // the other side answered
              f.lastUs = now;
            }
            expect(sink.packets.at(-1)!.flowId).toBe(f.id);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
