import { positionModifier } from '../lib/position-modifier.js';

/** `depth:N;` the preceding content lies within the first N bytes (counted from offset). */
export const depth = positionModifier('depth', 1, 65535, 10);
