import { stickyBuffer } from '../lib/factories.js';

/** `ftp.command;`: the payload keywords after it inspect the FTP command (Suricata); recognised, not evaluated yet. */
export const ftpCommandBuffer = stickyBuffer('ftp.command', 'ftp.command', { evaluable: false });
