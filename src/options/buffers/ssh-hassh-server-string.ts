import { stickyBuffer } from '../lib/factories.js';

/** `ssh.hassh.server.string;`: the payload keywords after it inspect the HASSH server fingerprint string (Suricata); recognised, not evaluated yet. */
export const sshHasshServerStringBuffer = stickyBuffer('ssh.hassh.server.string', 'ssh.hassh.server.string', { evaluable: false });
