import { stickyBuffer } from '../lib/factories.js';

/** `ssh.hassh.string;` (also `ssh-hassh-string`): the client's `kex;encryption;mac;compression` lists the HASSH is taken over. */
export const sshHasshStringBuffer = stickyBuffer('ssh.hassh.string', 'ssh.hassh.string', { aliases: ['ssh-hassh-string'] });
