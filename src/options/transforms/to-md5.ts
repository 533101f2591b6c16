import { transform } from '../lib/factories.js';

/** `to_md5;` transform: replaces the buffer by its MD5 digest. */
export const toMd5 = transform('to_md5', { evaluable: false });
