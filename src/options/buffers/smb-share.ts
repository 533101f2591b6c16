import { stickyBuffer } from '../lib/factories.js';

/** `smb.share;`: the payload keywords after it inspect the SMB share name (Suricata); recognised, not evaluated yet. */
export const smbShareBuffer = stickyBuffer('smb.share', 'smb.share', { evaluable: false });
