import { transform } from '../lib/factories.js';

/** `url_decode;` transform: decodes %XX and + escapes. */
export const urlDecode = transform('url_decode', { evaluable: false });
