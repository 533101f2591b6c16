import { stickyBuffer } from '../lib/factories.js';

/** `ssh.hassh.server.string;` (also `ssh-hassh-server-string`): the server's lists the HASSH is taken over. */
export const sshHasshServerStringBuffer = stickyBuffer('ssh.hassh.server.string', 'ssh.hassh.server.string', { aliases: ['ssh-hassh-server-string'] });
