import { integerKeyword } from '../lib/integer-keyword.js';

/** `rev:N;` the rule's revision. */
export const rev = integerKeyword('rev', 'meta', 0, 4294967295, 1, { singleUse: true });
