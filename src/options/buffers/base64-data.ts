import { stickyBuffer } from '../lib/factories.js';

/** `base64_data;`: the payload keywords after it inspect the bytes base64_decode decoded. */
export const base64DataBuffer = stickyBuffer('base64_data', 'base64_data', { evaluable: false });
