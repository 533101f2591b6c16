import { rangeKeyword } from '../lib/range-keyword.js';
import { FACT_DSIZE } from '../matcher.js';

/** `dsize:>100;` the payload size of the packet. */
export const dsize = rangeKeyword('dsize', 0, 65535, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '>100', { singleUse: true, field: { needs: FACT_DSIZE, read: (h) => h.dsize } });
