import { describe, expect, it } from 'vitest';
import { Scanner } from '../../src/match/scanner.js';
import { parseRules, VariableTable } from '../../src/rule/index.js';
import { concatBytes, dnsMessage, dnsPacket, tcpSession, udpPacket, type BuiltPacket } from '../../src/traffic/index.js';
import type { Alert } from '../../src/types/alert.js';
import { rulesetOf, scanPackets, scanWithCounters, sids } from './helpers.js';

const T0 = 1_700_000_000_000_000;
const query = (names: string[], opts: { client?: string; server?: string; response?: boolean; id?: number; type?: number; at?: number } = {}): BuiltPacket =>
  dnsPacket({ client: opts.client ?? '10.0.0.5:40000', server: opts.server ?? '10.0.0.53:53', names, tsUs: T0 + (opts.at ?? 0), ...(opts.response !== undefined ? { response: opts.response } : {}), ...(opts.id !== undefined ? { id: opts.id } : {}), ...(opts.type !== undefined ? { type: opts.type } : {}) });

describe('DNS', () => {
  it('dns.query (also under its legacy name dns_query) matches the question name of a request', async () => {
    const rules = `
alert dns any any -> any any (msg:"sticky"; dns.query; content:"evil.example"; nocase; endswith; sid:1;)
alert dns any any -> any any (msg:"legacy name"; dns_query; content:"EVIL"; nocase; sid:2;)
alert udp any any -> any 53 (msg:"udp header"; dns.query; content:"example"; sid:3;)
alert dns any any -> any any (msg:"bsize"; dns.query; bsize:16; sid:4;)
alert dns any any -> any any (msg:"pcre"; dns.query; pcre:"/^[a-z]{3}\\.evil\\./"; sid:5;)
`;
    const fired = async (p: BuiltPacket): Promise<number[]> => sids(await scanPackets(rules, [p])).sort((a, b) => a - b);
    expect(await fired(query(['www.evil.example']))).toEqual([1, 2, 3, 4, 5]);
    expect(await fired(query(['www.good.example']))).toEqual([3, 4]);
  });

  it('inspects requests only, on port 53, and each question of a request', async () => {
    const rules = 'alert dns any any -> any any (msg:"q"; dns.query; content:"bad.test"; sid:1;)';
    expect(sids(await scanPackets(rules, [query(['bad.test'], { response: true })]))).toEqual([]);
    expect(sids(await scanPackets(rules, [query(['bad.test'], { server: '10.0.0.53:5353' })]))).toEqual([]);
    expect(sids(await scanPackets(rules, [query(['ok.test', 'bad.test'])]))).toEqual([1]);
    // Two requests, each with two matching questions: one alert each.
    expect(sids(await scanPackets(rules, [query(['bad.test', 'x.bad.test']), query(['bad.test', 'y.bad.test'], { id: 2 })]))).toEqual([1, 1]);
  });

  it('DNS over TCP: length-prefixed messages, however segmented, each question inspected, one alert per request', async () => {
    const framed = (names: string[], id: number): Uint8Array => {
      const m = dnsMessage({ names, id });
      return concatBytes([Uint8Array.of(m.length >> 8, m.length & 0xff), m]);
    };
    const rules = 'alert dns any any -> any any (msg:"q"; dns.query; dotprefix; content:".bad.test"; endswith; sid:1;)';
    const stream = concatBytes([framed(['ok.test'], 1), framed(['x.bad.test', 'bad.test'], 2)]);
    for (const splitAt of [[], [1], [2, 15], [30, 31, 32]]) {
      const s = tcpSession({ client: '10.0.0.5:40001', server: '10.0.0.53:53' }).handshake().send('client', stream, { splitAt });
      s.send('server', framed(['bad.test'], 9).map((b, i) => (i === 4 ? b | 0x80 : b))); // a response: not inspected
      const { alerts, counters } = await scanWithCounters(rules, s.close('client').packets());
      // Both questions of the second request match: one alert, the request is one transaction.
      expect(sids(alerts), String(splitAt)).toEqual([1]);
      expect(counters['app_layer.flow.dns_tcp']).toBe(1);
      expect(counters['kanshi.app.dns.responses']).toBe(1);
    }
  });

  it('header-only dns rules see the flow as DNS; non-DNS traffic on port 53 is not DNS', async () => {
    const rules = 'alert dns any any -> any any (msg:"any dns"; sid:1;)';
    expect(sids(await scanPackets(rules, [query(['a.test'])]))).toEqual([1]);
    const junk = udpPacket({ src: '10.0.0.5:40000', dst: '10.0.0.53:53', payload: 'GET / HTTP/1.1\r\n', tsUs: T0 });
    expect(sids(await scanPackets(rules, [junk]))).toEqual([]);
  });

  it('alerts carry app_proto dns, the tx_id and the query as EVE writes it', async () => {
    const alerts: Alert[] = await scanPackets('alert dns any any -> any any (msg:"q"; dns.query; content:"x.test"; sid:1;)', [
      query(['a.test'], { id: 1 }),
      query(['x.test'], { id: 2, type: 28, at: 10 }),
    ]);
    expect(alerts.length).toBe(1);
    expect(alerts[0]!.appProto).toBe('dns');
    expect(alerts[0]!.extra).toMatchObject({ tx_id: 1, dns: { query: [{ type: 'query', id: 2, rrname: 'x.test', rrtype: 'AAAA', tx_id: 1 }] } });
  });

  it('flowbits set by a DNS rule are seen by later rules of the flow', async () => {
    const rules = `
alert dns any any -> any any (msg:"set"; dns.query; content:"stage1.test"; flowbits:set,s1; flowbits:noalert; sid:1;)
alert dns any any -> any any (msg:"then"; dns.query; content:"stage2.test"; flowbits:isset,s1; sid:2;)
`;
    expect(sids(await scanPackets(rules, [query(['stage2.test'])]))).toEqual([]);
    expect(sids(await scanPackets(rules, [query(['stage1.test']), query(['stage2.test'], { at: 5 })]))).toEqual([2]);
  });

  it('counts DNS traffic in the stats', async () => {
    const { counters: c } = await scanWithCounters('alert dns any any -> any any (msg:"q"; dns.query; content:"z"; sid:1;)', [
      query(['a.test', 'b.test']),
      query(['a.test'], { response: true, at: 1 }),
      udpPacket({ src: '10.0.0.6:1000', dst: '10.0.0.53:53', payload: 'xx', tsUs: T0 + 2 }),
    ]);
    expect(c['app_layer.flow.dns_udp']).toBe(1);
    expect(c['kanshi.app.dns.requests']).toBe(1);
    expect(c['kanshi.app.dns.queries']).toBe(2);
    expect(c['kanshi.app.dns.responses']).toBe(1);
    expect(c['kanshi.app.dns.malformed']).toBe(1);
    expect(c['kanshi.detect.inspect.dns']).toBe(2);
  });

  it('ET Open DNS rules load, dotprefix ones included; a transform kanshi lacks skips its rule by name', () => {
    const text = `
alert dns $HOME_NET any -> any any (msg:"ET DNS Query to a *.top domain"; dns.query; content:".top"; endswith; fast_pattern; classtype:bad-unknown; sid:100; rev:1;)
alert dns $HOME_NET any -> any any (msg:"ET dotprefix"; dns.query; dotprefix; content:".evil.com"; endswith; sid:101; rev:1;)
alert dns $HOME_NET any -> any any (msg:"domain"; dns.query; domain; content:"evil.com"; sid:102; rev:1;)
`;
    const parsed = parseRules(text, { vars: VariableTable.withDefaults() });
    expect(parsed.rules.map((r) => r.status)).toEqual(['loaded', 'loaded', 'skipped']);
    expect(parsed.diagnostics.some((d) => d.message.includes("'domain'"))).toBe(true);
  });
});

describe('DNS in JSON logs', () => {
  async function scanJson(rules: string, lines: string[]): Promise<number[]> {
    const alerts: Alert[] = [];
    const scanner = new Scanner(rulesetOf(rules), (a) => alerts.push(a));
    const text = lines.join('\n') + '\n';
    const r = await scanner.scanLogStream(
      (async function* () {
        yield Buffer.from(text, 'utf8');
      })(),
      'dns.json',
      { format: 'json' },
    );
    expect(r.error).toBeUndefined();
    return sids(alerts);
  }
  const rules = 'alert dns $HOME_NET any -> any any (msg:"ET DNS query to .top"; dns.query; content:".top"; endswith; nocase; sid:7;)';
  const at = '"timestamp":"2024-04-21T10:00:00.000000+0000","src_ip":"10.0.0.5","src_port":40000,"dest_ip":"10.0.0.53","dest_port":53,"proto":"UDP"';

  it('logged requests match as the packet would: Suricata EVE v2 and v3, Zeek dns.log', async () => {
    expect(await scanJson(rules, [`{${at},"event_type":"dns","dns":{"type":"query","id":1,"rrname":"a.example.TOP","rrtype":"A","tx_id":0}}`])).toEqual([7]);
    expect(await scanJson(rules, [`{${at},"event_type":"dns","dns":{"version":3,"type":"request","id":1,"queries":[{"rrname":"b.example.top","rrtype":"A"}]}}`])).toEqual([7]);
    expect(await scanJson(rules, ['{"ts":1713693600.0,"id.orig_h":"10.0.0.5","id.orig_p":40000,"id.resp_h":"10.0.0.53","id.resp_p":53,"proto":"udp","query":"c.example.top","qtype_name":"A"}'])).toEqual([7]);
  });

  it('logged answers and other records do not fill dns.query', async () => {
    expect(await scanJson(rules, [`{${at},"event_type":"dns","dns":{"type":"answer","id":1,"rrname":"a.example.top","rrtype":"A"}}`])).toEqual([]);
    expect(await scanJson(rules, [`{${at},"event_type":"http","http":{"hostname":"a.example.top","url":"/"}}`])).toEqual([]);
  });
});

describe('dns.opcode', () => {
  it('matches the opcode of each DNS request (an UPDATE, not a query)', async () => {
    const rules = [
      'alert dns any any -> any any (msg:"dns update"; dns.opcode:5; sid:1;)',
      'alert dns any any -> any any (msg:"not a query"; dns.opcode:!0; dns.query; content:"example"; sid:2;)',
    ].join('\n');
    const update = dnsMessage({ id: 7, names: ['zone.example'] });
    update[2] = (update[2]! & 0x87) | (5 << 3);
    const packets = [
      udpPacket({ src: '10.0.0.1:4000', dst: '10.0.0.53:53', payload: update, tsUs: 1_000_000 }),
      dnsPacket({ client: '10.0.0.1:4001', server: '10.0.0.53:53', names: ['www.example'], tsUs: 2_000_000 }),
    ];
    expect(sids(await scanPackets(rules, packets))).toEqual([1, 2]);
  });
});
