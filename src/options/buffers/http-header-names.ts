import { stickyBuffer } from '../lib/factories.js';

/** `http.header_names;` (also written `http_header_names;`): the payload keywords after it inspect the header names, each line ended by CRLF. */
export const httpHeaderNamesBuffer = stickyBuffer('http.header_names', 'http.header_names', { aliases: ['http_header_names'] });
