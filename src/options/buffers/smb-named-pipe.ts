import { stickyBuffer } from '../lib/factories.js';

/** `smb.named_pipe;`: the payload keywords after it inspect the SMB named pipe (Suricata); recognised, not evaluated yet. */
export const smbNamedPipeBuffer = stickyBuffer('smb.named_pipe', 'smb.named_pipe', { evaluable: false });
