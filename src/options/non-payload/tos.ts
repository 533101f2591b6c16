import { rangeKeyword } from '../lib/range-keyword.js';

/** `tos:16;` the IP type-of-service byte (decimal, or hex as 0x10). */
export const tos = rangeKeyword('tos', 0, 255, ['=', '!='], '16', { hex: true });
