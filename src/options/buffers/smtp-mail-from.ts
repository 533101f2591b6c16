import { stickyBuffer } from '../lib/factories.js';

/** `smtp.mail_from;`: the payload keywords after it inspect the SMTP MAIL FROM argument. */
export const smtpMailFromBuffer = stickyBuffer('smtp.mail_from', 'smtp.mail_from');
