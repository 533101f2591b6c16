import { unevaluated } from '../lib/factories.js';

/** `filemd5:md5-blacklist;` the MD5 of a transferred file against a list (Suricata); recognised, not evaluated yet. */
export const filemd5 = unevaluated('filemd5', 'non-payload', 'required', 'filemd5:md5-blacklist;');
