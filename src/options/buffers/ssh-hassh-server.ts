import { stickyBuffer } from '../lib/factories.js';

/** `ssh.hassh.server;`: the payload keywords after it inspect the HASSH server fingerprint hash (Suricata); recognised, not evaluated yet. */
export const sshHasshServerBuffer = stickyBuffer('ssh.hassh.server', 'ssh.hassh.server', { evaluable: false });
