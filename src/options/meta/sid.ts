import { integerKeyword } from '../lib/integer-keyword.js';

/** `sid:N;` the rule's signature id (unique per gid across the loaded rules). */
export const sid = integerKeyword('sid', 'meta', 1, 4294967295, 1000001, {
  singleUse: true,
  hint: 'local rules usually use 1000000 and above',
});
