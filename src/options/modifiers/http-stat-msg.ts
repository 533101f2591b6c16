import { bufferModifier } from '../lib/factories.js';

/** `content:"..."; http_stat_msg;` the preceding content inspects the HTTP response status message (http.stat_msg). */
export const httpStatMsgModifier = bufferModifier('http_stat_msg', 'http.stat_msg');
