import { stickyBuffer } from '../lib/factories.js';

/** `smb.ntlmssp_user;`: the payload keywords after it inspect the NTLMSSP user name (Suricata); recognised, not evaluated yet. */
export const smbNtlmsspUserBuffer = stickyBuffer('smb.ntlmssp_user', 'smb.ntlmssp_user', { evaluable: false });
