import { stickyBuffer } from '../lib/factories.js';

/** `ssh.proto;` (also written `ssh_proto;`): the payload keywords after it inspect the SSH protocol version string. */
export const sshProtoBuffer = stickyBuffer('ssh.proto', 'ssh.proto', { aliases: ['ssh_proto'], evaluable: false });
