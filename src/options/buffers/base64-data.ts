import { stickyBuffer } from '../lib/factories.js';

/**
 * `base64_data;`: the payload keywords after it inspect the bytes the rule's last base64_decode
 * decoded (the detection engine reads them from the inspection, not from the record).
 */
export const base64DataBuffer = stickyBuffer('base64_data', 'base64_data');
