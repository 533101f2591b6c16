import { rangeKeyword } from '../lib/range-keyword.js';
import { FACT_FRAG } from '../matcher.js';

/** `fragoffset:0;` the IP fragment offset field, in 8-byte units. */
export const fragoffset = rangeKeyword('fragoffset', 0, 8191, ['=', '!=', '<', '>', '<=', '>='], '0', { field: { needs: FACT_FRAG, read: (h) => h.fragOffset } });
