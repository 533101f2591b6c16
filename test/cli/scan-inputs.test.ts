import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { CaptureFileWriter, udpPacket } from '../../src/traffic/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kanshi-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RULE = 'alert udp any any -> any any (msg:"attack"; content:"ATTACK"; sid:1;)\n';
const rulesFile = join(dir, 'x.rules');
writeFileSync(rulesFile, RULE);
const capture = join(dir, 'good.pcap');
const w = new CaptureFileWriter(capture, { format: 'pcap' });
w.write(udpPacket({ src: '10.0.0.1:1025', dst: '10.0.0.2:53', payload: 'an ATTACK here', tsUs: 1_000_000 }));
w.close();

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  const alerts = out.split('\n').filter((l) => l.includes('"event_type":"alert"')).length;
  return { code, out, err, alerts };
}

describe('kanshi scan inputs', () => {
  it('follows symbolic links in rules and input directories', async () => {
    const rules = join(dir, 'linked-rules');
    const inputs = join(dir, 'linked-inputs');
    mkdirSync(rules);
    mkdirSync(inputs);
    symlinkSync(rulesFile, join(rules, 'x.rules'));
    symlinkSync(capture, join(inputs, 'link.pcap'));
    // A link back up the tree must not walk for ever.
    symlinkSync(inputs, join(inputs, 'loop'));
    const r = await run(['scan', '--no-correlate', '-r', rules, inputs]);
    expect(r.err).not.toContain('cannot read');
    expect(r.alerts).toBe(1);
    expect(r.code).toBe(0);
  });

  it('reports what it cannot read in a directory, scans the rest, and exits 1', async () => {
    const inputs = join(dir, 'broken');
    mkdirSync(inputs);
    writeFileSync(join(inputs, 'a.pcap'), readFileSync(capture));
    symlinkSync(join(dir, 'nowhere'), join(inputs, 'b.pcap'));
    const r = await run(['scan', '--no-correlate', '-r', rulesFile, inputs]);
    expect(r.err).toContain(`${join(inputs, 'b.pcap')}: cannot read: no such file`);
    expect(r.alerts).toBe(1);
    expect(r.code).toBe(1);
    // The stats record says so too, for a reader of the output file alone.
    const stats = JSON.parse(r.out.trim().split('\n').pop()!) as { stats: { kanshi: { inputs: Record<string, number> } } };
    expect(stats.stats.kanshi.inputs).toMatchObject({ captures: 1, errors: 1 });
  });

  it('reads a gzip-compressed capture named on the command line as a capture', async () => {
    const gz = join(dir, 'good.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(capture)));
    const r = await run(['scan', '--no-correlate', '-r', rulesFile, gz]);
    expect(r.out).toContain('"captures":1');
    expect(r.alerts).toBe(1);
  });

  it('says so when a file named like a capture is not one', async () => {
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, Buffer.concat([Buffer.from([0x00]), readFileSync(capture).subarray(1)]));
    const r = await run(['scan', '--no-correlate', '-r', rulesFile, bad]);
    expect(r.err).toContain(`${bad}: named like a capture, but it starts with no pcap or pcapng header: read as log lines`);
  });

  it('finds logs rotated with a date in their name (logrotate dateext) in a directory', async () => {
    const logs = join(dir, 'dateext');
    mkdirSync(logs);
    const line = (port: number) => `Oct 10 13:55:37 web01 sshd[1]: Failed password for root from 203.0.113.5 port ${port} ssh2\n`;
    writeFileSync(join(logs, 'messages-20231010'), line(1));
    writeFileSync(join(logs, 'secure-20231011.gz'), gzipSync(line(2)));
    writeFileSync(join(logs, 'maillog-2023101003'), line(3));
    writeFileSync(join(logs, 'access.log-20231010.gz'), gzipSync(line(4)));
    const rules = join(dir, 'sshd.rules');
    writeFileSync(rules, 'alert tcp any any -> any any (msg:"sshd"; log.program; content:"sshd"; sid:30;)\n');
    const r = await run(['scan', '--no-correlate', '--year', '2023', '-r', rules, logs]);
    expect(r.err).not.toContain('neither a capture nor a log');
    expect(r.alerts).toBe(4);
  });

  it('reads a named FIFO once, as a stream, without losing its first bytes', async () => {
    const fifo = join(dir, 'pipe.pcap');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `cat '${capture}' > '${fifo}'`], { stdio: 'ignore' });
    const written = new Promise((resolve) => writer.on('close', resolve));
    const r = await run(['scan', '--no-correlate', '-r', rulesFile, fifo]);
    await written;
    expect(r.err).not.toContain('error');
    expect(r.alerts).toBe(1);
    expect(r.code).toBe(0);
  });
  it('numbers flows once across the inputs of a run: a flow_id names one flow in all the output', async () => {
    const r = await run(['scan', '--no-correlate', '-r', rulesFile, capture, capture]);
    const ids = r.out.split('\n').filter((l) => l.includes('"event_type":"alert"')).map((l) => (JSON.parse(l) as { flow_id: number }).flow_id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it('exits 1, with the reason and no stack trace, when the policy or the output cannot be opened', async () => {
    const missing = join(dir, 'nope.policy');
    const scan = await run(['scan', '-r', rulesFile, '--policy', missing, capture]);
    expect(scan.code).toBe(1);
    expect(scan.err).toContain(`${missing}:1:1: error: cannot read policy file: no such file`);
    const correlate = await run(['correlate', '--policy', missing, join(dir, 'x.json')]);
    expect(correlate.code).toBe(1);
    expect(correlate.err).toContain('cannot read policy file: no such file');
    const check = await run(['check', missing]);
    expect(check.code).toBe(1);
    expect(check.err).toContain('cannot read policy file: no such file');
    const out = await run(['scan', '-r', rulesFile, '-o', join(dir, 'no-such-dir', 'out.json'), capture]);
    expect(out.code).toBe(1);
    expect(out.err).toContain('cannot write');
    for (const r of [scan, correlate, check, out]) expect(r.err).not.toMatch(/internal error|\n\s+at /);
  });

  it('names a preamble before a log in one note, with the format the rest was read in', async () => {
    const log = join(dir, 'container.log');
    const startup = ['/docker-entrypoint.sh: Configuration complete; ready for start up', '2024/01/25 06:00:00 [notice] 1#1: start worker process 29'];
    const access = Array.from({ length: 12 }, (_, i) => `172.17.0.1 - - [25/Jan/2024:06:00:${String(i).padStart(2, '0')} +0000] "GET /ATTACK HTTP/1.1" 404 153 "-" "curl/8.0"`);
    writeFileSync(log, [...startup, ...access, 'not an access line', ''].join('\n'));
    const rules = join(dir, 'uri.rules');
    writeFileSync(rules, 'alert http any any -> any any (msg:"uri"; http.uri; content:"/ATTACK"; sid:2;)\n');
    const r = await run(['scan', '--no-correlate', '-r', rules, log]);
    expect(r.alerts).toBe(12);
    const notes = r.err.split('\n').filter((l) => l.includes('container.log'));
    expect(notes).toEqual([
      `kanshi scan: ${log}: read as combined after a preamble of 2 lines (lines 1-2, read as raw lines)`,
      `kanshi scan: ${log}:15: malformed combined line (no-time): read as a raw line`,
    ]);
  });
});
