import { stickyBuffer } from '../lib/factories.js';

/** `http.protocol;` (also written `http_protocol;`): the payload keywords after it inspect the protocol field of the request or response line. */
export const httpProtocolBuffer = stickyBuffer('http.protocol', 'http.protocol', { aliases: ['http_protocol'] });
