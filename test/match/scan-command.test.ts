/** `kanshi scan`: arguments, inputs, output formats, exit statuses. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { encodePcap, encodePcapng, httpConversation, relink, tcpSession, udpPacket } from '../../src/traffic/index.js';
import { REPO_ROOT } from '../corpora.js';

const dir = mkdtempSync(join(tmpdir(), 'kanshi-scan-'));
const RULES = join(dir, 'test.rules');
writeFileSync(
  RULES,
  [
    'alert udp any any -> any 53 (msg:"dns evil"; content:"evil"; classtype:bad-unknown; sid:1000001; rev:2;)',
    'alert http any any -> any any (msg:"admin uri"; http.uri; content:"/admin"; sid:1000002;)',
  ].join('\n') + '\n',
);
const PCAP = join(dir, 'in.pcap');
writeFileSync(
  PCAP,
  encodePcap([
    udpPacket({ src: '10.0.0.1:1024', dst: '10.0.0.2:53', payload: 'an evil query', tsUs: Date.UTC(2003, 2, 17) * 1000 }),
    ...httpConversation({ request: { uri: '/admin/x' }, response: { status: 404 }, startUs: Date.UTC(2003, 2, 17) * 1000 + 10 }).packets(),
  ]),
);
const LOG = join(dir, 'access.log');
writeFileSync(LOG, '192.0.2.9 - - [17/Mar/2003:10:00:00 +0000] "GET /admin/panel HTTP/1.0" 404 210 "-" "-"\n');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['scan', ...args], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

const records = (out: string): Array<Record<string, unknown>> =>
  out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('kanshi scan', () => {
  it('writes EVE alerts and one closing stats record', async () => {
    const r = await run(['-r', RULES, '--no-correlate', PCAP]);
    expect(r.code).toBe(0);
    const recs = records(r.out);
    expect(recs.map((x) => x.event_type)).toEqual(['alert', 'alert', 'stats']);
    expect(recs.map((x) => (x.alert as { signature_id?: number } | undefined)?.signature_id)).toEqual([1000001, 1000002, undefined]);
    const stats = recs[2]!.stats as Record<string, Record<string, unknown>>;
    expect(stats.decoder!.pkts).toBeGreaterThan(0);
    expect(stats.detect!.alert).toBe(2);
    expect(stats.flow!.total).toBeGreaterThan(0);
  });

  it("keeps Suricata's stats groups to counters Suricata has, kanshi's own under kanshi", async () => {
    // Suricata's schema (etc/schema.json, 7 and 8) allows no other property in these groups: a
    // consumer reads whatever is there as Suricata's counter, with Suricata's meaning.
    const suricata: Record<string, readonly string[]> = {
      decoder: ['pkts', 'bytes', 'invalid', 'avg_pkt_size', 'max_pkt_size', 'max_mac_addrs_src', 'max_mac_addrs_dst', 'ethernet', 'arp', 'unknown_ethertype', 'vlan', 'vlan_qinq', 'vlan_qinqinq', 'sll', 'sll2', 'raw', 'null', 'chdlc', 'pppoe', 'ppp', 'mpls', 'ieee8021ah', 'vntag', 'etag', 'nsh', 'esp', 'ipv4', 'ipv6', 'tcp', 'udp', 'sctp', 'icmpv4', 'icmpv6', 'gre', 'erspan', 'vxlan', 'geneve', 'teredo', 'ipv4_in_ipv4', 'ipv4_in_ipv6', 'ipv6_in_ipv4', 'ipv6_in_ipv6', 'too_many_layers'],
      flow: ['total', 'active', 'tcp', 'udp', 'icmpv4', 'icmpv6', 'tcp_reuse', 'memcap', 'memuse', 'spare', 'get_used', 'get_used_eval', 'get_used_eval_busy', 'get_used_eval_reject', 'get_used_failed', 'emerg_mode_entered', 'emerg_mode_over', 'mgr.flows_checked', 'mgr.flows_evicted', 'mgr.flows_evicted_needs_work', 'mgr.flows_notimeout', 'mgr.flows_timeout', 'mgr.full_hash_pass', 'mgr.rows_maxlen', 'mgr.rows_per_sec'],
      tcp: ['sessions', 'active_sessions', 'ssn_memcap_drop', 'pseudo', 'invalid_checksum', 'no_flow', 'syn', 'synack', 'rst', 'midstream_pickups', 'pkt_on_wrong_thread', 'segment_memcap_drop', 'segment_from_cache', 'segment_from_pool', 'stream_depth_reached', 'reassembly_gap', 'reassembly_memuse', 'memuse', 'overlap', 'overlap_diff_data', 'insert_data_normal_fail', 'insert_data_overlap_fail', 'ack_unseen_data', 'urg', 'urgent_oob_data'],
      defrag: ['ipv4.fragments', 'ipv4.reassembled', 'ipv4.timeouts', 'ipv6.fragments', 'ipv6.reassembled', 'ipv6.timeouts', 'max_frags_reached', 'max_trackers_reached', 'tracker_soft_reuse', 'tracker_hard_reuse', 'memuse', 'mgr.tracker_timeout', 'wrk.tracker_timeout'],
      detect: ['alert', 'alert_queue_overflow', 'alerts_suppressed'],
    };
    const r = await run(['-r', RULES, '--no-correlate', PCAP, LOG]);
    const stats = records(r.out).at(-1)!.stats as Record<string, Record<string, unknown>>;
    const leaves = (o: Record<string, unknown>, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
    for (const [group, names] of Object.entries(suricata)) {
      const own = leaves(stats[group]!).filter((n) => !(group === 'decoder' && n.startsWith('event.')));
      expect(own.filter((n) => !names.includes(n)), group).toEqual([]);
    }
    expect(stats.kanshi).toMatchObject({ decoder: { unsupported_linktype: 0 }, detect: { rules_loaded: 2, inspect: { http: expect.any(Number) } }, flow: { open_at_end: expect.any(Number) }, tcp: { pkts: expect.any(Number) } });
  });

  it('correlates by default (levels, and the correlator counters in stats)', async () => {
    const r = await run(['-r', RULES, PCAP]);
    expect(r.code).toBe(0);
    const recs = records(r.out);
    const alert = recs.find((x) => x.event_type === 'alert')!;
    expect((alert.alert as { level: string }).level).toBe('Warning');
    const stats = recs.at(-1)!.stats as Record<string, Record<string, unknown>>;
    expect(stats.correlate!.raw).toBe(2);
  });

  it('writes alert_fast lines, to a file with -o', async () => {
    const file = join(dir, 'fast.txt');
    const r = await run(['-r', RULES, '--format', 'fast', '--no-correlate', '-o', file, PCAP]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('03/17/03-00:00:00.000000  [**] [1:1000001:2] dns evil [**] [Classification: Potentially Bad Traffic] [Priority: 2] {UDP} 10.0.0.1:1024 -> 10.0.0.2:53');
    expect(lines).toHaveLength(2);
  });

  it('reads log files and directories of inputs', async () => {
    const r = await run(['-r', RULES, '--no-correlate', dir]);
    expect(r.code).toBe(0);
    const alerts = records(r.out).filter((x) => x.event_type === 'alert');
    expect(alerts.map((a) => (a.alert as { signature_id: number }).signature_id).sort()).toEqual([1000001, 1000002, 1000002]);
    expect(alerts.find((a) => a.log !== undefined)!.log).toMatchObject({ file: LOG, line: 1 });
  });

  it('skips a file in a directory that is neither a capture nor a known log format, unless named', async () => {
    const sub = mkdtempSync(join(tmpdir(), 'kanshi-scan-dir-'));
    const manifest = join(sub, 'manifest.json');
    writeFileSync(manifest, '{\n  "note": "GET /admin/panel",\n  "files": [\n    "a.pcap"\n  ]\n}\n');
    writeFileSync(join(sub, 'access.log'), readFileSync(LOG));
    writeFileSync(join(sub, 'broken.pcap'), 'not a capture at all');
    writeFileSync(join(sub, 'empty.pcap'), '');
    writeFileSync(join(sub, 'README'), 'what these files are\n');
    // No log name, but lines of a web server's access log: read.
    writeFileSync(join(sub, 'apache-auth'), readFileSync(LOG));
    const walked = await run(['-r', RULES, '--no-correlate', sub]);
    expect(walked.code).toBe(0);
    expect(walked.err).toContain(`${manifest}: skipped: neither a capture nor a log format`);
    expect(walked.err).toContain(`${join(sub, 'broken.pcap')}: skipped: named like a capture, but it starts with no pcap or pcapng header\n`);
    expect(walked.err).toContain(`${join(sub, 'empty.pcap')}: skipped: named like a capture, but empty\n`);
    expect(walked.err).toContain(`skipped 1 file neither a capture nor a log (by name or first lines): ${join(sub, 'README')} (name one on the command line to read it as log lines)\n`);
    expect(walked.err).toContain('kanshi scan: 2 inputs (0 packets, 2 log records): 2 hits\n');
    expect(records(walked.out).filter((x) => x.event_type === 'alert')).toHaveLength(2);
    const named = await run(['-r', RULES, '--no-correlate', manifest]);
    expect(named.err).not.toContain(': skipped:');
    const stats = records(named.out).find((x) => x.event_type === 'stats')!.stats as { logs: { records_by_format: Record<string, number> } };
    expect(stats.logs.records_by_format).toEqual({ raw: 6 });
  });

  it('says how many packets a short snapshot length cut, and counts them in stats', async () => {
    const whole = udpPacket({ src: '10.0.0.1:1024', dst: '10.0.0.2:53', payload: 'an evil query', tsUs: Date.UTC(2003, 2, 17) * 1000 });
    // Captured with -s 50: the query's last bytes ("query") never reached the file.
    const cut = { ...whole, frame: whole.frame.slice(0, 50), wireLength: whole.frame.length };
    const path = join(dir, 'snaplen.pcap');
    writeFileSync(path, encodePcap([cut, whole]));
    const r = await run(['-r', RULES, '--no-correlate', path]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`${path}: 1 of 2 packets were captured shorter than they were on the wire (the capture's snapshot length)`);
    const stats = records(r.out).at(-1)!.stats as { kanshi: { capture: { packets_cut_short: number } } };
    expect(stats.kanshi.capture.packets_cut_short).toBe(1);
    const quiet = await run(['-r', RULES, '--no-correlate', PCAP]);
    expect(quiet.err).not.toContain('shorter than');
  });

  it('names a link type it cannot decode, so a capture of 802.11 frames does not look clean', async () => {
    const frame = udpPacket({ src: '10.0.0.1:1024', dst: '10.0.0.2:53', payload: 'an evil query', tsUs: Date.UTC(2003, 2, 17) * 1000 });
    const path = join(dir, 'radiotap.pcap');
    writeFileSync(path, encodePcap([{ ...frame, linkType: 127 }, { ...frame, linkType: 127 }]));
    const r = await run(['-r', RULES, '--no-correlate', path]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`${path}: 2 of 2 packets have link type 127 (IEEE 802.11 with radiotap headers), which kanshi does not decode: they were skipped`);
    const stats = records(r.out).at(-1)!.stats as { decoder: Record<string, number>; kanshi: { decoder: { unsupported_linktype: number } } };
    // Suricata has no such counter: it stays out of Suricata's group.
    expect(stats.decoder).not.toHaveProperty('unsupported_linktype');
    expect(stats.kanshi.decoder.unsupported_linktype).toBe(2);
    expect(records(r.out).filter((x) => x.event_type === 'alert')).toEqual([]);
    // One line per link type, up to a few: a pcapng file may describe any number of interfaces.
    const many = join(dir, 'many-link-types.pcapng');
    writeFileSync(many, encodePcapng([300, 301, 302, 303, 304, 305].map((linkType) => ({ ...frame, linkType }))));
    const m = await run(['-r', RULES, '--no-correlate', many]);
    const notes = m.err.split('\n').filter((l) => l.includes(many));
    expect(notes).toHaveLength(5);
    expect(notes[0]).toContain('1 of 6 packets have link type 300, which kanshi does not decode');
    expect(notes[4]).toBe(`kanshi scan: ${many}: packets of 2 more link types kanshi does not decode were skipped (kanshi.decoder.unsupported_linktype counts them all)`);
  });

  it('reads packets a firewall logged through NFLOG (tcpdump -i nflog:N)', async () => {
    const logged = udpPacket({ src: '10.0.0.1:1024', dst: '10.0.0.2:53', payload: 'an evil query', tsUs: Date.UTC(2003, 2, 17) * 1000 });
    const path = join(dir, 'nflog.pcap');
    writeFileSync(path, encodePcap([relink(logged, 239, { nflogPrefix: 'DNS-IN ' })]));
    const r = await run(['-r', RULES, '--no-correlate', path]);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain('does not decode');
    const alerts = records(r.out).filter((x) => x.event_type === 'alert');
    expect(alerts.map((a) => [(a.alert as { signature_id: number }).signature_id, a.src_ip, a.dest_port])).toEqual([[1000001, '10.0.0.1', 53]]);
  });

  it.runIf(existsSync('/dev/full'))('exits 1 with one line on stderr when the output cannot be written (a full disk)', async () => {
    const r = await run(['-r', RULES, '-o', '/dev/full', PCAP]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('kanshi scan: cannot write /dev/full: ENOSPC; the output stops where the write failed\n');
  });

  it('exits 1 when an input cannot be read, after scanning the others', async () => {
    const r = await run(['-r', RULES, '--no-correlate', join(dir, 'missing.pcap'), PCAP]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('missing.pcap');
    expect(records(r.out).filter((x) => x.event_type === 'alert')).toHaveLength(2);
  });

  it('exits 2 on usage errors', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['--format', 'xml', PCAP])).code).toBe(2);
    expect((await run(['--var', 'HOME_NET=not-an-address', PCAP])).code).toBe(2);
    expect((await run(['-r', join(dir, 'nope.rules'), PCAP])).code).toBe(2);
    expect((await run(['--bogus', PCAP])).code).toBe(2);
    const format = await run(['--log-format', 'nosuch', PCAP]);
    expect(format.code).toBe(2);
    expect(format.err).toContain("unknown --log-format 'nosuch': use one of ");
    const tz = await run(['--tz', 'Mars/Olympus', PCAP]);
    expect(tz.code).toBe(2);
    expect(tz.err).toContain('--tz: unknown time zone "Mars/Olympus"');
  });

  it('uses the bundled rules when no -r is given', async () => {
    const sample = join(REPO_ROOT, 'samples', 'pcap', 'ms03-007', 'search-probe.pcap');
    const r = await run(['--no-correlate', '--var', 'HOME_NET=192.168.0.0/16', sample]);
    expect(r.code).toBe(0);
    expect(records(r.out).filter((x) => x.event_type === 'alert').map((a) => (a.alert as { signature_id: number }).signature_id)).toContain(3100010);
  });

  it('reads a capture from standard input', () => {
    const script = `import('${join(REPO_ROOT, 'src/cli/main.ts')}').then(async (m) => { process.exitCode = await m.main(['scan', '-r', ${JSON.stringify(RULES)}, '--no-correlate', '-']); })`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { input: readFileSync(PCAP), cwd: REPO_ROOT, encoding: 'utf8' });
    expect(records(out).filter((x) => x.event_type === 'alert')).toHaveLength(2);
  });

  it('detects a scan in firewall log lines, as in the packets they logged', async () => {
    const fw = (n: number, verb: string) =>
      `Mar 17 13:00:${String(n).padStart(2, '0')} fw kernel: ${verb} IN=eth0 OUT= SRC=203.0.113.5 DST=192.168.1.${n} LEN=48 TOS=0x00 PREC=0x00 TTL=113 ID=512 DF PROTO=TCP SPT=3377 DPT=445 WINDOW=16384 RES=0x00 SYN URGP=0`;
    const path = join(mkdtempSync(join(tmpdir(), 'kanshi-scan-fw-')), 'firewall.log');
    writeFileSync(path, Array.from({ length: 12 }, (_, i) => fw(i + 1, 'DROP')).join('\n') + '\n');
    const r = await run(['-r', RULES, '--year', '2003', '--var', 'HOME_NET=192.168.0.0/16', path]);
    expect(r.code).toBe(0);
    const scans = records(r.out).filter((x) => x.event_type === 'alert' && (x.alert as { gid: number }).gid === 1122);
    expect(scans.map((x) => (x.alert as { signature: string }).signature)).toEqual(['Horizontal Scan']);
    expect(scans[0]).toMatchObject({ src_ip: '203.0.113.5', dest_port: 445 });
  });

  it('picks up a session without its handshake unless told --no-midstream, as Suricata does by default', async () => {
    const sub = mkdtempSync(join(tmpdir(), 'kanshi-scan-mid-'));
    const rules = join(sub, 'mid.rules');
    writeFileSync(rules, 'alert tcp any any -> any 80 (msg:"established"; flow:to_server,established; content:"MIDSTREAM"; sid:7;)\n');
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1_000_000 });
    s.send('client', 'xx MIDSTREAM yy').send('server', 'ok');
    const pcap = join(sub, 'mid.pcap');
    writeFileSync(pcap, encodePcap(s.packets()));
    const alerts = (r: { out: string }) => records(r.out).filter((x) => x.event_type === 'alert').length;
    expect(alerts(await run(['-r', rules, '--no-correlate', pcap]))).toBe(1);
    expect(alerts(await run(['-r', rules, '--no-correlate', '--no-midstream', pcap]))).toBe(0);
  });

  it('names the first malformed lines of a log with file:line and reason, and counts the rest', async () => {
    const good = readFileSync(LOG, 'utf8');
    const bad = '192.0.2.9 - - [99/Xyz/2003:10:00:00 +0000] "GET / HTTP/1.0" 200 1 "-" "-"\n';
    const path = join(mkdtempSync(join(tmpdir(), 'kanshi-scan-bad-')), 'access.log');
    writeFileSync(path, good.repeat(10) + bad.repeat(7));
    const r = await run(['-r', RULES, '--no-correlate', path]);
    expect(r.code).toBe(0);
    const notes = r.err.split('\n').filter((l) => l.includes('malformed'));
    expect(notes.slice(0, 5)).toEqual([11, 12, 13, 14, 15].map((n) => `kanshi scan: ${path}:${n}: malformed combined line (bad-time): read as a raw line`));
    expect(notes[5]).toBe(`kanshi scan: ${path}: 2 more malformed lines (counted by reason in the stats record)`);
    expect(records(r.out).filter((x) => x.event_type === 'alert')).toHaveLength(10);
  });

  it('reads gzip-compressed logs and captures from standard input and gzip logs found in a directory', async () => {
    const script = `import('${join(REPO_ROOT, 'src/cli/main.ts')}').then(async (m) => { process.exitCode = await m.main(['scan', '-r', ${JSON.stringify(RULES)}, '--no-correlate', '-']); })`;
    const stdin = (input: Buffer) => execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { input, cwd: REPO_ROOT, encoding: 'utf8' });
    const logAlerts = records(stdin(gzipSync(readFileSync(LOG)))).filter((x) => x.event_type === 'alert');
    expect(logAlerts).toHaveLength(1);
    expect(logAlerts[0]!.log).toMatchObject({ file: '<stdin>', line: 1 });
    expect(records(stdin(gzipSync(readFileSync(PCAP)))).filter((x) => x.event_type === 'alert')).toHaveLength(2);
    const sub = mkdtempSync(join(tmpdir(), 'kanshi-scan-gz-'));
    writeFileSync(join(sub, 'access.log.1.gz'), gzipSync(readFileSync(LOG)));
    const walked = await run(['-r', RULES, '--no-correlate', sub]);
    expect(walked.err).not.toContain(': skipped:');
    expect(records(walked.out).filter((x) => x.event_type === 'alert')).toHaveLength(1);
  });
});
