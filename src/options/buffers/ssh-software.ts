import { stickyBuffer } from '../lib/factories.js';

/** `ssh.software;` (also written `ssh_software;`): the payload keywords after it inspect the SSH software version string. */
export const sshSoftwareBuffer = stickyBuffer('ssh.software', 'ssh.software', { aliases: ['ssh_software'], evaluable: false });
