/** alert ssh rules on ssh.proto and ssh.software. */
import { describe, expect, it } from 'vitest';
import { tcpSession } from '../../src/traffic/index.js';
import { scanWithCounters, sids } from './helpers.js';

describe('ssh.proto and ssh.software', () => {
  const rules = [
    'alert ssh any any -> any any (msg:"libssh client"; flow:established,to_server; ssh.software; content:"libssh"; startswith; sid:1;)',
    'alert ssh any any -> any any (msg:"old server"; flow:to_client; ssh_software; content:"OpenSSH_3."; sid:2;)',
    'alert ssh any any -> any any (msg:"ssh1 compat"; ssh_proto; content:"1.99"; bsize:4; sid:3;)',
    'alert tcp any any -> any any (msg:"comment on the stream"; content:"Debian"; sid:4;)',
    'alert ssh any any -> any any (msg:"comment is not software"; ssh.software; content:"Debian"; sid:5;)',
  ].join('\n');

  it('reads each side once, on any port; comments stay out of ssh.software', async () => {
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:2222' }).handshake();
    s.send('client', 'SSH-2.0-libssh_0.9.6\r\n').send('server', 'SSH-1.99-OpenSSH_3.5p1 Debian-1\r\n').send('client', 'SSH-2.0-libssh again\r\n');
    const r = await scanWithCounters(rules, s.packets());
    expect(sids(r.alerts).sort()).toEqual([1, 2, 3, 4]);
    const server = r.alerts.find((a) => a.sid === 2)!;
    expect(server.appProto).toBe('ssh');
    expect(server.extra).toMatchObject({ tx_id: 1, ssh: { client: { software_version: 'libssh_0.9.6' }, server: { proto_version: '1.99', software_version: 'OpenSSH_3.5p1' } } });
    expect(r.counters['app_layer.flow.ssh']).toBe(1);
    expect(r.counters['kanshi.app.ssh.banners']).toBe(2);
    expect(r.counters['kanshi.detect.inspect.ssh']).toBe(2);
  });
});
