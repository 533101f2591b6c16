import { transform } from '../lib/factories.js';

/** `strip_pseudo_headers;` transform: removes HTTP/2 pseudo headers. */
export const stripPseudoHeaders = transform('strip_pseudo_headers', { evaluable: false });
