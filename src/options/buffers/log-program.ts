import { stickyBuffer } from '../lib/factories.js';

/** `log.program;`: the payload keywords after it inspect the program name of a log record (kanshi). */
export const logProgramBuffer = stickyBuffer('log.program', 'log.program');
