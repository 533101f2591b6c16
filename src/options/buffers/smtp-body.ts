import { stickyBuffer } from '../lib/factories.js';

/** `smtp.body;`: the payload keywords after it inspect the mail body of an SMTP message (kanshi). */
export const smtpBodyBuffer = stickyBuffer('smtp.body', 'smtp.body');
