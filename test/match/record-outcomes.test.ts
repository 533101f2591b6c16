/**
 * Replayed record outcomes (record-outcomes.ts) give what evaluating every record afresh gives:
 * the same alerts, in the same order, and the same evaluation count, on access logs whose lines
 * repeat their content from other clients and at other times.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordOutcomes } from '../../src/match/record-outcomes.js';
import { Scanner } from '../../src/match/scanner.js';
import type { Alert } from '../../src/types/alert.js';
import { rulesetOf } from './helpers.js';

const CLIENTS = ['192.0.2.9', '10.1.2.3', '10.1.2.4', '198.51.100.7', '2001:db8::1'];
const REQUESTS = [
  'GET /scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir HTTP/1.0',
  'GET /index.html HTTP/1.1',
  'SEARCH / HTTP/1.1',
  'POST /cmd.exe HTTP/1.1',
  'GET /default.ida?NNNN%u9090 HTTP/1.0',
  'GET /a\\"b.exe HTTP/1.1',
  '-',
];
const STATUS = ['200 1000', '404 210', '500 -', '200 5'];
const REFERERS = ['-', 'http://example.com/', 'http://evil.example/cmd.exe'];
const AGENTS = ['-', 'curl/7.1', 'Mozilla/4.0 (compatible; MSIE 5.5)', 'Nikto/2.1'];

/**
 * A log whose lines draw each field from a few values of the run: lines repeat whole contents
 * (from other clients, at other times) and also differ from each other in one field only.
 */
const few = <T>(values: readonly T[]) => fc.array(fc.constantFrom(...values), { minLength: 1, maxLength: 3 });
const log = fc
  .record({
    requests: few(REQUESTS),
    statuses: few(STATUS),
    referers: few(REFERERS),
    agents: few(AGENTS),
    lines: fc.array(fc.record({ picks: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }), client: fc.constantFrom(...CLIENTS), second: fc.nat({ max: 59 }) }), { minLength: 1, maxLength: 40 }),
  })
  .map(({ requests, statuses, referers, agents, lines }) =>
    lines
      .map((l) => {
        const [r, s, f, a] = l.picks as [number, number, number, number];
        const time = `17/Mar/2003:10:00:${String(l.second).padStart(2, '0')} +0000`;
        return `${l.client} - - [${time}] "${requests[r % requests.length]}" ${statuses[s % statuses.length]} "${referers[f % referers.length]}" "${agents[a % agents.length]}"\n`;
      })
      .join(''),
  );

const header = fc.constantFrom(
  'alert http any any -> any any',
  'alert tcp any any -> any $HTTP_PORTS',
  'alert http 10.0.0.0/8 any -> any any',
  'alert http !192.0.2.9 any -> any any',
  'alert ip any any -> any any',
  'pass http 198.51.100.7 any -> any any',
);
const option = fc.constantFrom(
  'http.uri; content:"cmd";',
  'http.uri; content:".exe"; nocase;',
  'http.user_agent; content:"curl";',
  'http.method; content:"GET";',
  'http.method; content:"SEARCH"; http.stat_code; content:"500";',
  'http.header; content:"Referer|3a|";',
  'http.referer; content:"evil";',
  'http.uri; pcre:"/\\.(exe|ida)/";',
  'http.start; content:!"Content-Length";',
  'log.message; content:"10:00:1";',
  'http.stat_code; content:"404";',
  'threshold:type limit, track by_src, count 1, seconds 60;',
  'xbits:set,seen,track ip_src;',
  'xbits:isset,seen,track ip_src;',
  'urilen:>10;',
  'http.user_agent; to_lowercase; content:"nikto";',
  'log.message; to_lowercase; content:"10.1.2";',
);
const rule = fc.record({ header, opts: fc.array(option, { maxLength: 3 }) });

/** The same kind of log in IIS's W3C format (spaces in the agent written as '+', times in UTC). */
const IIS_FIELDS = '#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query cs-version cs(User-Agent) cs(Referer) sc-status sc-bytes';
const iisLog = fc
  .record({
    requests: few(REQUESTS.filter((r) => r !== '-')),
    statuses: few(['200', '404', '500']),
    referers: few(REFERERS),
    agents: few(AGENTS),
    lines: fc.array(fc.record({ picks: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }), client: fc.constantFrom(...CLIENTS), second: fc.nat({ max: 59 }) }), { minLength: 1, maxLength: 40 }),
  })
  .map(({ requests, statuses, referers, agents, lines }) =>
    [IIS_FIELDS, ...lines.map((l) => {
      const [r, s, f, a] = l.picks as [number, number, number, number];
      const [method, target, version] = requests[r % requests.length]!.split(' ') as [string, string, string];
      const q = target.indexOf('?');
      const stem = q < 0 ? target : target.slice(0, q);
      const query = q < 0 ? '-' : target.slice(q + 1);
      const agent = agents[a % agents.length]!.replace(/ /g, '+');
      return `2003-03-17 10:00:${String(l.second).padStart(2, '0')} ${l.client} ${method} ${stem} ${query} ${version} ${agent} ${referers[f % referers.length]} ${statuses[s % statuses.length]} 100`;
    })].join('\n') + '\n',
  );

async function scan(rulesText: string, log: string, recordPlans: boolean, format = 'combined'): Promise<{ alerts: Alert[]; evaluated: number }> {
  const alerts: Alert[] = [];
  const scanner = new Scanner(rulesetOf(rulesText), (a) => alerts.push(a), { engine: { recordPlans } });
  const r = await scanner.scanLogStream((async function* () { yield Buffer.from(log, 'latin1'); })(), 'access.log', { format });
  expect(r.error).toBeUndefined();
  return { alerts, evaluated: scanner.engine.counters.evaluated };
}

/**
 * Random rules over random logs of the format: the same alerts (with their http fields) and
 * evaluation count with outcomes replayed as with every record evaluated afresh, over enough
 * replays that the property speaks of them and not only of first sightings.
 */
async function replayMatchesFresh(logs: fc.Arbitrary<string>, format: string): Promise<void> {
  let replays = 0;
  const get = RecordOutcomes.prototype.get;
  RecordOutcomes.prototype.get = function (this: RecordOutcomes, key: number) {
    const found = get.call(this, key);
    if (found) replays++;
    return found;
  };
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(rule, { minLength: 1, maxLength: 6 }), logs, async (rules, text) => {
        const rulesText = rules.map((r, i) => `${r.header} (msg:"r${i}"; ${[...new Set(r.opts)].join(' ')} sid:${i + 1};)`).join('\n');
        const replayed = await scan(rulesText, text, true, format);
        const fresh = await scan(rulesText, text, false, format);
        const view = (a: Alert) => [a.sid, a.log?.line, a.srcIp, a.tsUs, JSON.stringify(a.http)];
        expect(replayed.alerts.map(view)).toEqual(fresh.alerts.map(view));
        expect(replayed.evaluated).toBe(fresh.evaluated);
      }),
      { numRuns: 150 },
    );
  } finally {
    RecordOutcomes.prototype.get = get;
  }
  expect(replays).toBeGreaterThan(100);
}

describe('record outcomes', () => {
  it('replaying a repeated content raises what evaluating it afresh raises', async () => {
    await replayMatchesFresh(log, 'combined');
  });

  it('replaying a repeated IIS content raises what evaluating it afresh raises', async () => {
    await replayMatchesFresh(iisLog, 'iis');
  });

  it('replays lines that repeat a content, and not lines that differ from it', async () => {
    const rules = 'alert http any any -> any any (msg:"cmd"; http.uri; content:"cmd.exe"; sid:1;)\nalert http any any -> any any (msg:"404"; http.stat_code; content:"404"; sid:2;)';
    const a = '192.0.2.9 - - [17/Mar/2003:10:00:00 +0000] "GET /cmd.exe HTTP/1.0" 404 210 "-" "curl/7.1"';
    // The same content from another client at another time, then the same request with another status.
    const b = '10.1.2.3 - - [17/Mar/2003:10:00:05 +0000] "GET /cmd.exe HTTP/1.0" 404 999 "-" "curl/7.1"';
    const c = '10.1.2.3 - - [17/Mar/2003:10:00:06 +0000] "GET /cmd.exe HTTP/1.0" 200 999 "-" "curl/7.1"';
    const gets: boolean[] = [];
    const get = RecordOutcomes.prototype.get;
    RecordOutcomes.prototype.get = function (this: RecordOutcomes, key: number) {
      const found = get.call(this, key);
      gets.push(found);
      return found;
    };
    try {
      const { alerts } = await scan(rules, [a, b, c].join('\n') + '\n', true);
      expect(alerts.map((x) => [x.sid, x.log?.line])).toEqual([[1, 1], [2, 1], [1, 2], [2, 2], [1, 3]]);
      expect(gets).toEqual([false, true, false]);
    } finally {
      RecordOutcomes.prototype.get = get;
    }
  });

  it('gives back the codes remembered, short ones kept in their slot and long ones beside it', () => {
    const o = new RecordOutcomes(16);
    const read = (key: number): number[] | undefined => (o.get(key) ? Array.from(o.codes.subarray(o.first, o.end)) : undefined);
    const long = Int32Array.from({ length: 12 }, (_, i) => i * 7 + 1);
    o.remember(3, Int32Array.of(2, 9, 13, 99), 3);
    o.remember(4, long, 12);
    o.remember(5, Int32Array.of(0), 1);
    expect(read(3)).toEqual([2, 9, 13]);
    expect(read(4)).toEqual(Array.from(long));
    expect(read(5)).toEqual([0]);
    expect(read(6)).toBeUndefined();
    // A key of the same slot replaces the outcome, long by short and short by long.
    o.remember(4 + 16, Int32Array.of(1, 5), 2);
    expect(read(4)).toBeUndefined();
    expect(read(20)).toEqual([1, 5]);
    o.remember(3 + 16, long, 7);
    expect(read(19)).toEqual(Array.from(long.subarray(0, 7)));
    expect(read(3)).toBeUndefined();
  });

  it('stays bounded and rests when contents do not repeat', () => {
    const o = new RecordOutcomes(8);
    const codes = Int32Array.of(0, 5);
    for (let k = 1; k <= 100; k++) {
      expect(o.active()).toBe(true);
      if (!o.get(k)) o.remember(k, codes, 2);
      expect(o.size).toBeLessThanOrEqual(8);
    }
    // A window of misses: the table empties and rests.
    for (let k = 101; k < 101 + 4097; k++) if (o.active() && !o.get(k)) o.remember(k, codes, 2);
    expect(o.size).toBe(0);
    expect(o.active()).toBe(false);
  });
});
