import { stickyBuffer } from '../lib/factories.js';

/** `ssh.hassh;`: the payload keywords after it inspect the HASSH client fingerprint hash (Suricata); recognised, not evaluated yet. */
export const sshHasshBuffer = stickyBuffer('ssh.hassh', 'ssh.hassh', { evaluable: false });
