import { positionModifier } from '../lib/position-modifier.js';

/** `offset:N;` the preceding content starts at least N bytes into the buffer. */
export const offset = positionModifier('offset', -65535, 65535, 4);
