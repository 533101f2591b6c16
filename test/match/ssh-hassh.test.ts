import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseKexInit } from '../../src/app/ssh/kexinit.js';
import { newSshStats, SshSession } from '../../src/app/ssh/banner.js';
import { tcpSession } from '../../src/traffic/index.js';
import { Ruleset } from '../../src/match/ruleset.js';
import { parseRules, VariableTable } from '../../src/rule/index.js';
import { scanWithCounters, sids } from './helpers.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** The name-lists of a KEXINIT, in RFC 4253 order. */
const LISTS = {
  kex: 'curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha256,ext-info-c',
  hostKey: 'ssh-ed25519,rsa-sha2-512',
  encCs: 'chacha20-poly1305@openssh.com,aes128-ctr',
  encSc: 'aes256-gcm@openssh.com,aes128-ctr',
  macCs: 'umac-64-etm@openssh.com,hmac-sha2-256',
  macSc: 'hmac-sha2-512',
  compCs: 'none,zlib@openssh.com',
  compSc: 'none',
};
const CLIENT_STRING = `${LISTS.kex};${LISTS.encCs};${LISTS.macCs};${LISTS.compCs}`;
const SERVER_STRING = `${LISTS.kex};${LISTS.encSc};${LISTS.macSc};${LISTS.compSc}`;

/** An SSH binary packet (length, padding length, payload, padding) carrying a KEXINIT. */
function kexinitPacket(lists = LISTS, code = 20): Uint8Array {
  const names = [lists.kex, lists.hostKey, lists.encCs, lists.encSc, lists.macCs, lists.macSc, lists.compCs, lists.compSc, '', ''];
  const parts: number[] = [code, ...new Array<number>(16).fill(0x11)];
  for (const n of names) {
    const b = Buffer.from(n, 'latin1');
    parts.push((b.length >>> 24) & 0xff, (b.length >>> 16) & 0xff, (b.length >>> 8) & 0xff, b.length & 0xff, ...b);
  }
  parts.push(0, 0, 0, 0, 0); // first_kex_packet_follows, reserved
  const padding = 8 - ((parts.length + 5) % 8) + 4;
  const length = 1 + parts.length + padding;
  return Uint8Array.from([(length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, padding, ...parts, ...new Array<number>(padding).fill(0)]);
}

const concat = (...xs: (string | Uint8Array)[]): Uint8Array => Buffer.concat(xs.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : x)));

describe('KEXINIT and HASSH', () => {
  it('takes the sender direction lists: client-to-server for a client, server-to-client for a server', () => {
    const body = kexinitPacket().subarray(4);
    expect(parseKexInit(body, true)?.hasshString).toBe(CLIENT_STRING);
    expect(parseKexInit(body, false)?.hasshString).toBe(SERVER_STRING);
    expect(parseKexInit(kexinitPacket(LISTS, 21).subarray(4), true)).toBeNull();
  });

  const rules = [
    `alert ssh any any -> any any (msg:"client hassh"; ssh.hassh; content:"${md5(CLIENT_STRING)}"; sid:1;)`,
    'alert ssh any any -> any any (msg:"client offers zlib"; ssh.hassh.string; content:"zlib@openssh.com"; sid:2;)',
    `alert ssh any any -> any any (msg:"server hassh"; ssh.hassh.server; content:"${md5(SERVER_STRING)}"; bsize:32; sid:3;)`,
    'alert ssh any any -> any any (msg:"server lists"; ssh.hassh.server.string; content:"aes256-gcm"; sid:4;)',
    'alert ssh any any -> any any (msg:"banner still once"; ssh.software; content:"OpenSSH_9"; sid:5;)',
    'alert ssh any any -> any any (msg:"client string is not the server one"; ssh.hassh.string; content:"hmac-sha2-512"; sid:6;)',
  ].join('\n');

  it('fires once per rule whatever the segmentation; banner rules do not fire again on the key exchange', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 4 }), async (cuts) => {
        const client = concat('SSH-2.0-OpenSSH_9.6\r\n', kexinitPacket());
        const server = concat('SSH-2.0-OpenSSH_9.3\r\n', kexinitPacket(), 'encrypted...');
        const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:22' }).handshake();
        const at = [...new Set(cuts.filter((c) => c < client.length))].sort((a, b) => a - b);
        s.send('client', client, { splitAt: at }).send('server', server);
        const r = await scanWithCounters(rules, s.packets());
        expect(sids(r.alerts).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 5]);
        expect(r.counters['kanshi.app.ssh.kexinits']).toBe(2);
        const hassh = r.alerts.find((a) => a.sid === 1)!;
        expect(hassh.extra).toMatchObject({ ssh: { client: { software_version: 'OpenSSH_9.6', hassh: { hash: md5(CLIENT_STRING), string: CLIENT_STRING } } } });
      }),
      { numRuns: 25 },
    );
  });

  it('a rule mixing banner and HASSH buffers is skipped with the reason', () => {
    const parsed = parseRules('alert ssh any any -> any any (msg:"mixed"; ssh.software; content:"x"; ssh.hassh; content:"ec7378c1a92f5a8dde7e8b7a1ddf33d1"; sid:7;)', { vars: VariableTable.withDefaults() });
    const rs = new Ruleset(parsed.rules);
    expect(rs.rules.length).toBe(0);
    expect(rs.skipped.map((s) => s.reason).join()).toMatch(/ssh.hassh/);
  });

  it('reads a KEXINIT of several kilobytes fed in small pieces (its buffer grows with what arrives)', () => {
    const big = { ...LISTS, kex: Array.from({ length: 300 }, (_, k) => `kex-${k}@example.org`).join(',') };
    const stats = newSshStats();
    const units: { buffer(n: string): Uint8Array | undefined }[] = [];
    const s = new SshSession({ stats, emit: (u) => units.push(u as never) });
    const bytes = concat('SSH-2.0-big\r\n', kexinitPacket(big));
    expect(bytes.length).toBeGreaterThan(5000);
    for (let i = 0; i < bytes.length; i += 97) s.data(true, bytes.subarray(i, i + 97));
    const want = `${big.kex};${big.encCs};${big.macCs};${big.compCs}`;
    expect(Buffer.from(units[1]!.buffer('ssh.hassh')!).toString()).toBe(md5(want));
    expect(stats.kexinits).toBe(1);
  });

  it('hostile bytes after a banner never throw; what is not a KEXINIT is counted, not emitted', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (junk, step) => {
        const stats = newSshStats();
        const units: unknown[] = [];
        const s = new SshSession({ stats, emit: (u) => units.push(u) });
        const bytes = concat('SSH-2.0-x\r\n', junk);
        for (let i = 0; i < bytes.length; i += step) s.data(true, bytes.subarray(i, i + step));
        expect(units.length).toBeGreaterThanOrEqual(1);
        expect(units.length).toBeLessThanOrEqual(2);
        expect(stats.kexinits + stats.kexinitMissing).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});
