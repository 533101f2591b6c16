import { stickyBuffer } from '../lib/factories.js';

/** `smtp.header;`: the payload keywords after it inspect the mail headers of an SMTP message (kanshi). */
export const smtpHeaderBuffer = stickyBuffer('smtp.header', 'smtp.header');
