/** SSH identification lines: ssh.proto and ssh.software per side. */
import { describe, expect, it } from 'vitest';
import { MAX_SSH_BANNER, newSshStats, parseSshBanner, SshSession, type SshBanner } from '../../src/app/ssh/banner.js';
import type { SshKexInit } from '../../src/app/ssh/kexinit.js';
import { bytes } from './helpers.js';

const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('latin1'));

function session(): { s: SshSession; out: (SshBanner | SshKexInit)[]; stats: ReturnType<typeof newSshStats> } {
  const out: (SshBanner | SshKexInit)[] = [];
  const stats = newSshStats();
  return { s: new SshSession({ stats, emit: (b) => out.push(b) }), out, stats };
}

describe('SSH banners', () => {
  it.each([
    ['SSH-2.0-OpenSSH_8.9p1 Ubuntu-3', '2.0', 'OpenSSH_8.9p1'],
    ['SSH-1.99-Cisco-1.25', '1.99', 'Cisco-1.25'],
    ['SSH-2.0-PuTTY_Release_0.80', '2.0', 'PuTTY_Release_0.80'],
    ['SSH-2.0-', '2.0', ''],
  ])('%j: proto %j, software %j', (line, proto, software) => {
    const p = parseSshBanner(bytes(line))!;
    expect([text(p.proto), text(p.software)]).toEqual([proto, software]);
  });

  it.each(['SSH-2.0', 'SSH--x', 'SSX-2.0-a', 'SSH'])('%j is not a banner', (line) => {
    expect(parseSshBanner(bytes(line))).toBeNull();
  });

  it('hands each side over once its line ends (LF, CRLF or a CR followed by more), however split', () => {
    const { s, out } = session();
    for (const c of ['SS', 'H-2.0-libssh_0.9', '.6\r', '\n', 'binary kex...']) s.data(true, bytes(c));
    s.data(false, bytes('SSH-2.0-OpenSSH_9.6\rX'));
    expect(out.map((b) => [b.side, b.id, text(b.buffer('ssh.proto')), text(b.buffer('ssh.software'))])).toEqual([
      ['client', 0, '2.0', 'libssh_0.9.6'],
      ['server', 1, '2.0', 'OpenSSH_9.6'],
    ]);
    expect(out[1]!.meta()).toEqual({ client: { proto_version: '2.0', software_version: 'libssh_0.9.6' }, server: { proto_version: '2.0', software_version: 'OpenSSH_9.6' } });
    expect(out[0]!.buffer('http.uri')).toBeUndefined();
    // The usual order, server first: the client's banner shows both, as Suricata's one transaction does.
    const first = session();
    first.s.data(false, bytes('SSH-2.0-OpenSSH_9.6\r\n'));
    first.s.data(true, bytes('SSH-2.0-PuTTY_0.80\r\n'));
    expect(first.out[1]!.meta()).toEqual({ client: { proto_version: '2.0', software_version: 'PuTTY_0.80' }, server: { proto_version: '2.0', software_version: 'OpenSSH_9.6' } });
  });

  it('counts what it cannot read: another start, a gap inside the line, a line past the bound', () => {
    const a = session();
    a.s.data(true, bytes('220 hello\r\n'));
    a.s.data(false, bytes('SSH-2.'));
    a.s.gap(false);
    a.s.data(false, bytes('0-x\r\n'));
    expect(a.out).toEqual([]);
    expect(a.stats).toMatchObject({ banners: 0, invalid: 2 });
    const b = session();
    b.s.data(true, bytes('SSH-2.0-' + 'A'.repeat(MAX_SSH_BANNER)));
    expect(b.out.map((x) => text(x.buffer('ssh.software'))!.length)).toEqual([MAX_SSH_BANNER - 8]);
    expect(b.stats).toMatchObject({ banners: 1, long: 1 });
  });

  it('reads a long banner whole, as Suricata reads a line that came whole, and counts it as long', () => {
    const a = session();
    a.s.data(true, bytes('SSH-2.0-libssh' + 'A'.repeat(280) + 'ENDMARK\r\n'));
    expect(a.out.map((x) => text(x.buffer('ssh.software'))!.endsWith('ENDMARK'))).toEqual([true]);
    expect(a.stats).toMatchObject({ banners: 1, long: 1 });
    const short = session();
    short.s.data(true, bytes('SSH-2.0-OpenSSH_9.6\r\n'));
    expect(short.stats).toMatchObject({ banners: 1, long: 0 });
    // Dribbled: a long line still open at the end of its chunk is read as far as it came.
    const dribbled = session();
    dribbled.s.data(true, bytes('SSH-2.0-' + 'A'.repeat(300)));
    dribbled.s.data(true, bytes('ENDMARK\r\n'));
    expect(dribbled.out.map((x) => text(x.buffer('ssh.software'))!.length)).toEqual([300]);
    expect(dribbled.stats).toMatchObject({ banners: 1, long: 1 });
  });
});
