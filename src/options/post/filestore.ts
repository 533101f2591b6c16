import { unevaluated } from '../lib/factories.js';

/** `filestore;` stores the transferred file (Suricata); recognised, not evaluated yet. */
export const filestore = unevaluated('filestore', 'post-detection', 'optional', 'filestore;');
