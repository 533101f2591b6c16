import { positionModifier } from '../lib/position-modifier.js';

/** `within:N;` the preceding content ends at most N bytes after the previous match (plus distance). */
export const within = positionModifier('within', 1, 65535, 10);
