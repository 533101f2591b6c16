import { stickyBuffer } from '../lib/factories.js';

/** `ftp.command_data;`: the payload keywords after it inspect the FTP command argument (Suricata); recognised, not evaluated yet. */
export const ftpCommandDataBuffer = stickyBuffer('ftp.command_data', 'ftp.command_data', { evaluable: false });
