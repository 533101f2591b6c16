import { unevaluated } from '../lib/factories.js';

/** `xor:"0d0ac8ff";` transform: XORs the buffer with a hex key. */
export const xor = unevaluated('xor', 'transform', 'required', 'xor:"0d0ac8ff";');
