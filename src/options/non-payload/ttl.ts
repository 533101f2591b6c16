import { rangeKeyword } from '../lib/range-keyword.js';
import { FACT_TTL } from '../matcher.js';

/** `ttl:64;` the IP time-to-live (IPv6 hop limit). */
export const ttl = rangeKeyword('ttl', 0, 255, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '64', { field: { needs: FACT_TTL, read: (h) => h.ttl } });
