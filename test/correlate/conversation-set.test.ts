import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConversationSet } from '../../src/correlate/conversation-set.js';

// Ends: IPv4 addresses as numbers (high ones too, as addressKey gives them), IPv6 ones as text.
const address = fc.oneof(fc.constantFrom(0x0a000001, 0xc0a80101, 0xfffffffe, 1), fc.constantFrom('20010db8000000000000000000000001', 'fe800000000000000000000000000001'));
const port = fc.constantFrom(0, 53, 1024, 65535);
const conversation = fc.tuple(address, port, address, port);

describe('ConversationSet', () => {
  it('holds exactly what a list of the last `max` distinct conversations added holds, and counts what it forgets', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(conversation, { minLength: 1, maxLength: 200 }), (max, adds) => {
        const set = new ConversationSet(max);
        const model: string[] = [];
        let forgotten = 0;
        const id = (c: readonly [number | string, number, number | string, number]): string => JSON.stringify(c);
        for (const c of adds) {
          expect(set.has(...c)).toBe(model.includes(id(c)));
          if (model.includes(id(c))) continue;
          set.add(...c);
          model.push(id(c));
          if (model.length > max) {
            model.shift();
            forgotten++;
          }
          for (const other of adds) expect(set.has(...other), id(other)).toBe(model.includes(id(other)));
        }
        expect(set.size).toBe(model.length);
        expect(set.evictions).toBe(forgotten);
      }),
      { numRuns: 300 },
    );
  });

  it('tells the two directions of a conversation apart', () => {
    const set = new ConversationSet(4);
    set.add(0x0a000001, 1234, 0xc0a80101, 53);
    expect(set.has(0x0a000001, 1234, 0xc0a80101, 53)).toBe(true);
    expect(set.has(0xc0a80101, 53, 0x0a000001, 1234)).toBe(false);
  });

  it('rejects a cap below one conversation', () => {
    expect(() => new ConversationSet(0)).toThrow();
  });
});
