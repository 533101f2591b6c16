import { rangeKeyword } from '../lib/range-keyword.js';
import { FACT_TOS } from '../matcher.js';

/** `tos:16;` the IP type-of-service byte (decimal, or hex as 0x10). */
export const tos = rangeKeyword('tos', 0, 255, ['=', '!='], '16', { hex: true, field: { needs: FACT_TOS, read: (h) => h.tos, applies: (h) => h.ipVersion === 4 } });
