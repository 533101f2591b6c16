import { stickyBuffer } from '../lib/factories.js';

/** `ssh.hassh;` (also `ssh-hassh`): the HASSH of the client's KEXINIT, 32 lower-case hex digits (MD5). */
export const sshHasshBuffer = stickyBuffer('ssh.hassh', 'ssh.hassh', { aliases: ['ssh-hassh'] });
