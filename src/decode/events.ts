import type { DecodedPacket } from '../types/packet.js';
import type { DecodeStats } from './stats.js';

/**
 * Decoder event names (src/types/decode-events.ts). Invalid events make the packet invalid: the
 * failing layer and everything above it are dropped.
 */
export type { DecodeEvent } from '../types/decode-events.js';
import type { DecodeEvent } from '../types/decode-events.js';

/** Records an event on the packet and in the stats; `invalid` marks the packet invalid (counted once). */
export function raiseEvent(
  pkt: DecodedPacket,
  stats: DecodeStats,
  name: DecodeEvent,
  invalid: boolean,
): void {
  if (pkt.events === undefined) pkt.events = [name];
  else pkt.events.push(name);
  stats.event(name);
  if (invalid && pkt.invalid !== true) {
    pkt.invalid = true;
    stats.invalid++;
  }
}

/** For frames rejected before a packet object exists (the link layer itself is broken). */
export function countInvalidFrame(stats: DecodeStats, name: DecodeEvent): void {
  stats.event(name);
  stats.invalid++;
}
