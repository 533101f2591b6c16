import { rangeKeyword } from '../lib/range-keyword.js';
import { FACT_IP_ID } from '../matcher.js';

/** `id:31337;` the IPv4 identification field. */
export const id = rangeKeyword('id', 0, 65535, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '31337', { field: { needs: FACT_IP_ID, read: (h) => h.ipId, applies: (h) => h.ipVersion === 4 } });
