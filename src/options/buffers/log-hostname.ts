import { stickyBuffer } from '../lib/factories.js';

/** `log.hostname;`: the payload keywords after it inspect the host name of a log record (kanshi). */
export const logHostnameBuffer = stickyBuffer('log.hostname', 'log.hostname');
