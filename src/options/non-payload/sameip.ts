import { bareKeyword } from '../lib/factories.js';

/** `sameip;` the source and destination addresses are equal. */
export const sameip = bareKeyword('sameip', 'non-payload', { singleUse: true });
