import { rangeKeyword } from '../lib/range-keyword.js';
import { FACT_TCP_SEQ } from '../matcher.js';

/** `seq:0;` the TCP sequence number. */
export const seq = rangeKeyword('seq', 0, 4294967295, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '0', { aliases: ['tcp.seq'], field: { needs: FACT_TCP_SEQ, read: (h) => h.seq } });
