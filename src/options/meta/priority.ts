import { integerKeyword } from '../lib/integer-keyword.js';

/** `priority:N;` overrides the classtype's priority (1 is the most severe). */
export const priority = integerKeyword('priority', 'meta', 1, 255, 1, { singleUse: true, hint: '1 is the most severe' });
