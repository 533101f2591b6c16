import { integerKeyword } from '../lib/integer-keyword.js';

/** `gid:N;` the generator id (1 for text rules). */
export const gid = integerKeyword('gid', 'meta', 0, 4294967295, 1, { singleUse: true });
