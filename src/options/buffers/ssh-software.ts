import { stickyBuffer } from '../lib/factories.js';

/**
 * `ssh.software;` (also `ssh_software;`): the software version of an SSH identification line
 * ("OpenSSH_9.6" in `SSH-2.0-OpenSSH_9.6 Ubuntu-3`: comments after a space are left out), the
 * client's towards the server, the server's towards the client.
 */
export const sshSoftwareBuffer = stickyBuffer('ssh.software', 'ssh.software', { aliases: ['ssh_software'] });
