import { stickyBuffer } from '../lib/factories.js';

/** `smb.ntlmssp_domain;`: the payload keywords after it inspect the NTLMSSP domain (Suricata); recognised, not evaluated yet. */
export const smbNtlmsspDomainBuffer = stickyBuffer('smb.ntlmssp_domain', 'smb.ntlmssp_domain', { evaluable: false });
