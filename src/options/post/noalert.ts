import { bareKeyword } from '../lib/factories.js';

/** `noalert;` the rule matches (and sets flowbits) but never alerts. */
export const noalert = bareKeyword('noalert', 'post-detection');
