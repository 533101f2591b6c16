import { positionModifier } from '../lib/position-modifier.js';

/** `offset:N;` the preceding content starts at least N bytes into the buffer. */
// Suricata reads offset as an unsigned 16-bit number and refuses a negative one (distance may be negative).
export const offset = positionModifier('offset', 0, 65535, 4);
