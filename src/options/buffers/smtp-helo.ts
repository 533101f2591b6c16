import { stickyBuffer } from '../lib/factories.js';

/** `smtp.helo;`: the payload keywords after it inspect the SMTP HELO/EHLO argument. */
export const smtpHeloBuffer = stickyBuffer('smtp.helo', 'smtp.helo');
