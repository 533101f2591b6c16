import { stickyBuffer } from '../lib/factories.js';

/** `ssh.hassh.server;` (also `ssh-hassh-server`): the HASSH of the server's KEXINIT (its server-to-client lists). */
export const sshHasshServerBuffer = stickyBuffer('ssh.hassh.server', 'ssh.hassh.server', { aliases: ['ssh-hassh-server'] });
