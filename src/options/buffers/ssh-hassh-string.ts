import { stickyBuffer } from '../lib/factories.js';

/** `ssh.hassh.string;`: the payload keywords after it inspect the HASSH client fingerprint string (Suricata); recognised, not evaluated yet. */
export const sshHasshStringBuffer = stickyBuffer('ssh.hassh.string', 'ssh.hassh.string', { evaluable: false });
