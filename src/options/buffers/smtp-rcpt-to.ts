import { stickyBuffer } from '../lib/factories.js';

/** `smtp.rcpt_to;`: the payload keywords after it inspect the SMTP RCPT TO arguments. */
export const smtpRcptToBuffer = stickyBuffer('smtp.rcpt_to', 'smtp.rcpt_to');
