import type { DecodedPacket } from '../types/packet.js';
import { EMPTY_BYTES } from './bytes.js';

/** VLAN list of untagged frames; frozen so a shared instance can never be altered. */
export const NO_VLANS: number[] = Object.freeze([] as number[]) as number[];

/**
 * Creates a packet with every field present from the start, so all packets share one
 * object shape and the hot paths that read them stay monomorphic.
 */
export function newPacket(
  num: number,
  tsUs: number,
  frame: Uint8Array,
  wireLength: number,
  vlans: number[],
): DecodedPacket {
  return {
    num,
    tsUs,
    frame,
    wireLength,
    vlans,
    ip: undefined,
    tcp: undefined,
    udp: undefined,
    icmp: undefined,
    srcPort: 0,
    dstPort: 0,
    payload: EMPTY_BYTES,
    events: undefined,
    invalid: false,
    streamRefused: false,
    streamDisplaced: false,
  };
}
