import { stickyBuffer } from '../lib/factories.js';

/** `http.stat_msg;`: the payload keywords after it inspect the response status message. */
export const httpStatMsgBuffer = stickyBuffer('http.stat_msg', 'http.stat_msg');
