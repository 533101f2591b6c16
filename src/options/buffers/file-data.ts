import { stickyBuffer } from '../lib/factories.js';

/** `file.data;` (also written `file_data;`): the payload keywords after it inspect file data: HTTP bodies and SMTP attachments. */
export const fileDataBuffer = stickyBuffer('file.data', 'file.data', { aliases: ['file_data'] });
