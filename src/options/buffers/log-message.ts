import { stickyBuffer } from '../lib/factories.js';

/** `log.message;`: the payload keywords after it inspect the message of a log record (kanshi). */
export const logMessageBuffer = stickyBuffer('log.message', 'log.message');
