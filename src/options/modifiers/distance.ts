import { positionModifier } from '../lib/position-modifier.js';

/** `distance:N;` the preceding content starts at least N bytes after the previous match. */
export const distance = positionModifier('distance', -65535, 65535, 0);
