import { integerKeyword } from '../lib/integer-keyword.js';

/** `rev:N;` the rule's revision, from 1 (Suricata refuses rev:0). */
export const rev = integerKeyword('rev', 'meta', 1, 4294967295, 1, { singleUse: true });
