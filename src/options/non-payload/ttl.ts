import { rangeKeyword } from '../lib/range-keyword.js';

/** `ttl:64;` the IP time-to-live (IPv6 hop limit). */
export const ttl = rangeKeyword('ttl', 0, 255, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '64');
