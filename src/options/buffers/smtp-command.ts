import { stickyBuffer } from '../lib/factories.js';

/** `smtp.command;`: the payload keywords after it inspect the SMTP command lines (kanshi). */
export const smtpCommandBuffer = stickyBuffer('smtp.command', 'smtp.command');
