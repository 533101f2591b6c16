import { bareKeyword } from '../lib/factories.js';

/** `rawbytes;` the preceding content inspects the raw packet, not a decoded buffer (Snort). */
export const rawbytes = bareKeyword('rawbytes', 'modifier');
