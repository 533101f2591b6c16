import { stickyBuffer } from '../lib/factories.js';

/**
 * `ssh.proto;` (also written `ssh_proto;`): the payload keywords after it inspect the protocol
 * version of an SSH identification line ("2.0" in `SSH-2.0-OpenSSH_9.6`), the client's towards
 * the server, the server's towards the client.
 */
export const sshProtoBuffer = stickyBuffer('ssh.proto', 'ssh.proto', { aliases: ['ssh_proto'] });

