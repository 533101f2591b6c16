import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../src/ruletest/detect.js';
import { applicableFamilies } from '../../src/ruletest/families.js';
import { escapeForAccessLog, splitLogRequest } from '../../src/ruletest/http-message.js';
import type { LogSection } from '../../src/ruletest/model.js';
import { parseCaseText } from '../../src/ruletest/parse.js';
import { checkProperties } from '../../src/ruletest/properties.js';
import { runCase } from '../../src/ruletest/runner.js';
import { prepareVariants } from '../../src/ruletest/variants/plan.js';
import { bytesOf, latin1, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const RULES = tmp.write(
  'rules/web.rules',
  [
    'alert http any any -> any any (msg:"weak: the raw URI"; http.uri.raw; content:"cmd.exe"; sid:9200001; rev:1;)',
    'alert http any any -> any any (msg:"the normalized URI"; http.uri; content:"/cmd.exe"; nocase; sid:9200002; rev:1;)',
  ].join('\n') + '\n',
);
const { detector } = loadRules([RULES], []);

const PROBE = '203.0.113.9 - - [17/Mar/2003:09:00:00 +0000] "GET /scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir HTTP/1.0" 404 162 "-" "-"';

function logCase(sid: string, lines: string, head = 'target: iis\n') {
  const parsed = parseCaseText(`${head}=== c\nsid: ${sid}\nexpect: positive\n--- log combined\n${lines}\n`, join(tmp.dir, 'rules/tests/x.ktest'));
  expect(parsed.diagnostics).toEqual([]);
  return parsed.cases[0]!;
}

describe('variants of web-server log lines', () => {
  it('cuts an access-log line around its request, and leaves other lines and escaped targets alone', () => {
    const r = splitLogRequest(bytesOf(PROBE))!;
    expect([r.before, r.method, r.target, r.after].map(latin1)).toEqual([
      '203.0.113.9 - - [17/Mar/2003:09:00:00 +0000] "',
      'GET',
      '/scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir',
      ' HTTP/1.0" 404 162 "-" "-"',
    ]);
    expect(latin1(splitLogRequest(bytesOf('www.example.com:80 192.0.2.1 - - [17/Mar/2003:09:00:00 +0000] "HEAD /x HTTP/1.1" 200 0'))!.target)).toBe('/x');
    expect(splitLogRequest(bytesOf('192.0.2.1 - - [17/Mar/2003:09:00:00 +0000] "GET /a\\xc0\\xaf HTTP/1.1" 200 0'))).toBeNull();
    expect(splitLogRequest(bytesOf('Mar 17 09:00:00 host sshd[1]: Accepted password for root'))).toBeNull();
    expect(latin1(escapeForAccessLog(Uint8Array.from([0x2f, 0xc0, 0xaf, 0x22, 0x5c, 0x61])))).toBe('/\\xc0\\xaf\\x22\\x5ca');
  });

  it('applies the URI families to logs that hold a request, the IIS ones for target: iis', () => {
    expect(applicableFamilies(logCase('9200002', PROBE, ''))).toEqual(['percent', 'path-tricks']);
    expect(applicableFamilies(logCase('9200002', PROBE))).toEqual(['percent', 'path-tricks', 'method-case', 'u-encoding', 'overlong', 'double-encoding', 'path-case']);
    const syslog = parseCaseText('=== c\nsid: 9200002\nexpect: negative\n--- log\nMar 17 09:00:00 host sshd[1]: Accepted password\n', join(tmp.dir, 'rules/tests/x.ktest')).cases[0]!;
    expect(applicableFamilies(syslog)).toEqual([]);
  });

  it('writes raw bytes an encoding puts in the URI as the log escapes them, and the engine reads them back', async () => {
    const c = logCase('9200002', PROBE);
    const prepared = prepareVariants(c, new Set(['overlong'] as const));
    const { variant, changes } = prepared.apply({
      sections: [{ kind: 'log', method: null, uri: { enc: { mode: 'run', start: 0, length: 4096, kind: 2 }, hexCase: [], tricks: [], pathCase: null } }],
    });
    const line = latin1((variant.sections[0] as LogSection).lines[0]!);
    expect(changes[0]).toMatch(/^log line URI: \d+ characters encoded/);
    expect(line.startsWith('203.0.113.9 - - [17/Mar/2003:09:00:00 +0000] "GET ')).toBe(true);
    expect(line.endsWith(' HTTP/1.0" 404 162 "-" "-"')).toBe(true);
    // Characters written as raw overlong UTF-8 appear as the log escapes them, never as bare bytes.
    expect(line).toMatch(/\\xc[01]\\x[89ab][0-9a-f]/);
    expect(/[^\x20-\x7e]/.test(line)).toBe(false);
    const v = await runCase(variant, detector);
    expect(v.alerts.map((a) => a.sid)).toContain(9200002);
  });

  it('holds for a rule on the normalized URI, and finds the encoding that evades a raw-URI rule', async () => {
    const good = await checkProperties(logCase('9200002', PROBE), detector, { seed: 3, runs: 100 });
    expect(good.failure).toBeUndefined();
    expect(good.variants).toBe(100);
    const weak = await checkProperties(logCase('9200001', PROBE), detector, { seed: 3, runs: 100 });
    expect(weak.failure).toBeDefined();
    expect(weak.failure!.changes.some((ch) => ch.startsWith('log line URI: '))).toBe(true);
    expect(weak.failure!.why?.at(-1)).toBe('content:"cmd.exe" is in no http.uri.raw above');
  });
});
