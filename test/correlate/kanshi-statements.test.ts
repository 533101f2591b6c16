import { describe, expect, it } from 'vitest';
import { correlate, hit, sec } from './helpers.js';

const HOME = { varOverrides: { HOME_NET: '[10.0.0.0/8,2001:db8::/32]' } };

describe('escalate', () => {
  const p = 'escalate classtype attempted-admin, track by_src, count 5, seconds 60';

  it('raises the count-th hit from a source to Critical, says why, and merges the rest of the window', () => {
    const hits = [0, 1, 2, 3, 4, 5, 6].map((t) => hit({ tsUs: sec(t) }));
    const { events, stats } = correlate(p, hits);
    expect(events.map((e) => e.level)).toEqual(['Warning', 'Warning', 'Warning', 'Warning', 'Critical']);
    expect(events[4]!.correlation).toEqual({
      base_level: 'Warning',
      level_source: 'classtype',
      changes: [{ statement: p, at: 'test.policy:1', reason: 'escalate', from: 'Warning', to: 'Critical', count: 5, seconds: 60, track: 'by_src' }],
    });
    expect(events[0]!.correlation).toBeUndefined();
    expect(stats).toMatchObject({ raw: 7, emitted: 5, merged: 2, escalated: 1 });
  });

  it('never merges a hit that ranks above the escalated event: an outward attack after the escalation is its own Emergency', () => {
    const policy = `${p}\noutbound level Emergency`;
    const inside = [0, 1, 2, 3, 4].map((t) => hit({ tsUs: sec(t), srcIp: '10.0.0.1', destIp: '10.0.0.9' }));
    const outward = hit({ tsUs: sec(5), srcIp: '10.0.0.1', destIp: '8.8.8.8' });
    const { events, stats } = correlate(policy, [...inside, outward], HOME);
    expect(events.map((e) => e.level)).toEqual(['Warning', 'Warning', 'Warning', 'Warning', 'Critical', 'Emergency']);
    // Every count of a statement is a subset of what was emitted.
    expect(stats).toMatchObject({ raw: 6, emitted: 6, merged: 0, outbound: 1 });
  });

  it('does not count hits without the tracked address together (mail-log lines naming no client)', () => {
    const hits = [0, 1, 2, 3, 4, 5].map((t) => hit({ tsUs: sec(t), srcIp: '', destIp: `192.0.2.${t + 1}` }));
    const { events } = correlate(p, hits);
    expect(events.map((e) => e.level)).toEqual(['Warning', 'Warning', 'Warning', 'Warning', 'Warning', 'Warning']);
  });

  it('counts each IPv6 address once, however it is written', () => {
    const spellings = ['2400:cb00::1', '2400:CB00:0:0:0:0:0:1', '2400:cb00:0000::0001', '2400:cb00::0:1', '2400:cb00::1'];
    const hits = spellings.map((srcIp, t) => hit({ tsUs: sec(t), srcIp }));
    expect(correlate(p, hits).events.map((e) => e.level)).toEqual(['Warning', 'Warning', 'Warning', 'Warning', 'Critical']);
  });

  it('starts over when the window ends', () => {
    const hits = [0, 1, 2, 3, 4, 5, 100, 101, 102, 103, 104].map((t) => hit({ tsUs: sec(t) }));
    const { events } = correlate(p, hits);
    expect(events.map((e) => e.level)).toEqual(['Warning', 'Warning', 'Warning', 'Warning', 'Critical', 'Warning', 'Warning', 'Warning', 'Warning', 'Critical']);
  });

  it('does not count hits read out of time order from long before the window (a rotated log after the current one)', () => {
    const day = 86_400;
    const today = [0, 1, 2, 3].map((t) => hit({ tsUs: sec(day + t) }));
    const yesterday = [0, 1, 2, 3].map((t) => hit({ tsUs: sec(t) }));
    expect(correlate(p, [...today, ...yesterday]).events.every((e) => e.level === 'Warning')).toBe(true);
    // A few seconds out of order still count in the window.
    const near = [10, 11, 12, 13, 9].map((t) => hit({ tsUs: sec(t) }));
    expect(correlate(p, near).events.map((e) => e.level)).toEqual(['Warning', 'Warning', 'Warning', 'Warning', 'Critical']);
  });

  it('counts each source apart, and only the selected classtype', () => {
    const hits = [
      ...[0, 1, 2, 3].map((t) => hit({ tsUs: sec(t), srcIp: '203.0.113.1' })),
      ...[0, 1, 2, 3].map((t) => hit({ tsUs: sec(t), srcIp: '203.0.113.2' })),
      ...[0, 1, 2, 3, 4].map((t) => hit({ tsUs: sec(t), srcIp: '203.0.113.3', classtype: 'misc-attack', severity: 2 })),
    ];
    const { events } = correlate(p, hits);
    expect(events.every((e) => e.level === 'Warning')).toBe(true);
  });

  it('takes a level, tracks by destination, and prefers the sid-specific statement', () => {
    const policy = [
      'escalate classtype attempted-admin, track by_src, count 2, seconds 60',
      'escalate gen_id 1, sig_id 1000, track by_dst, count 3, seconds 60, level Emergency',
    ].join('\n');
    const hits = [0, 1, 2].map((t) => hit({ tsUs: sec(t), srcIp: `203.0.113.${t}` }));
    const { events } = correlate(policy, hits);
    expect(events.map((e) => e.level)).toEqual(['Warning', 'Warning', 'Emergency']);
    expect(events[2]!.correlation?.changes?.[0]?.at).toBe('test.policy:2');
  });

  it('shows the escalated hit even when an event filter would hide it', () => {
    const policy = 'escalate classtype attempted-admin, track by_src, count 3, seconds 60\nthreshold gen_id 1, sig_id 1000, type limit, track by_src, count 1, seconds 60';
    const { events, stats } = correlate(policy, [0, 1, 2].map((t) => hit({ tsUs: sec(t) })));
    expect(events.map((e) => e.level)).toEqual(['Warning', 'Critical']);
    expect(stats).toMatchObject({ thresholded: 1, emitted: 2 });
  });
});

describe('outbound: a monitored host attacking the Internet is an Emergency', () => {
  it('raises attacks from inside HOME_NET to outside it', () => {
    const { events, stats } = correlate(
      'outbound level Emergency',
      [
        hit({ srcIp: '10.1.2.3', destIp: '93.184.216.34' }),
        hit({ srcIp: '93.184.216.34', destIp: '10.1.2.3' }),
        hit({ srcIp: '10.1.2.3', destIp: '10.9.9.9' }),
        hit({ srcIp: '2001:db8::5', destIp: '2606:2800::1' }),
      ],
      HOME,
    );
    expect(events.map((e) => e.level)).toEqual(['Emergency', 'Warning', 'Warning', 'Emergency']);
    expect(events[0]!.correlation?.changes).toEqual([
      { statement: 'outbound level Emergency', at: 'test.policy:1', reason: 'outbound', from: 'Warning', to: 'Emergency' },
    ]);
    expect(stats.outbound).toBe(2);
  });

  it('leaves routine (Information) hits alone unless a classtype is named', () => {
    const info = hit({ srcIp: '10.1.2.3', destIp: '93.184.216.34', classtype: 'policy-violation' });
    expect(correlate('outbound level Emergency', [info], HOME).events[0]!.level).toBe('Information');
    const named = hit({ srcIp: '10.1.2.3', destIp: '93.184.216.34', classtype: 'policy-violation' });
    expect(correlate('outbound level Emergency, classtype policy-violation|trojan-activity', [named], HOME).events[0]!.level).toBe('Emergency');
    const other = hit({ srcIp: '10.1.2.3', destIp: '93.184.216.34' });
    expect(correlate('outbound level Emergency, classtype trojan-activity', [other], HOME).events[0]!.level).toBe('Warning');
  });

  it('emits the hit that opens its window whatever event filter applies, so the hits merged into it are not lost', () => {
    const policy = ['outbound level Emergency, seconds 300', 'threshold gen_id 0, sig_id 0, type threshold, track by_src, count 10, seconds 60'].join('\n');
    const hits = Array.from({ length: 30 }, (_, t) => hit({ tsUs: sec(t), srcIp: '10.0.0.5', destIp: `198.51.100.${t + 1}` }));
    const { events, stats } = correlate(policy, hits, HOME);
    expect(events.map((e) => e.level)).toEqual(['Emergency']);
    expect(stats).toMatchObject({ raw: 30, emitted: 1, merged: 29, thresholded: 0, outbound: 1 });
    const limited = ['outbound level Emergency, seconds 300', 'event_filter gen_id 1, sig_id 0, type limit, track by_rule, count 1, seconds 60'].join('\n');
    const inside = hit({ tsUs: sec(0), srcIp: '10.0.0.7', destIp: '10.0.0.9' });
    const later = Array.from({ length: 5 }, (_, t) => hit({ tsUs: sec(10 + t), srcIp: '10.0.0.5', destIp: `198.51.100.${t + 1}` }));
    expect(correlate(limited, [inside, ...later], HOME).events.map((e) => e.level)).toEqual(['Warning', 'Emergency']);
  });

  it('takes its own monitored network', () => {
    const { events } = correlate('outbound level Critical, home 192.0.2.0/24', [hit({ srcIp: '192.0.2.9', destIp: '8.8.8.8' })]);
    expect(events[0]!.level).toBe('Critical');
  });

  it('with seconds, gives one event per inside host and rule in each window, merging the rest', () => {
    const worm = (t: number, srcIp = '10.1.2.3', sid = 1) => hit({ tsUs: sec(t), srcIp, destIp: `93.184.216.${t % 200}`, sid });
    const { events, stats } = correlate(
      'outbound level Emergency, seconds 300',
      [worm(0), worm(1), worm(2), worm(3, '10.1.2.4'), worm(4, '10.1.2.3', 2), worm(301), worm(302), hit({ tsUs: sec(303), srcIp: '93.184.216.34', destIp: '10.1.2.3' })],
      HOME,
    );
    expect(events.map((e) => `${e.srcIp} ${e.sid} ${e.level}`)).toEqual([
      '10.1.2.3 1 Emergency',
      '10.1.2.4 1 Emergency',
      '10.1.2.3 2 Emergency',
      '10.1.2.3 1 Emergency',
      '93.184.216.34 1000 Warning',
    ]);
    expect(stats).toMatchObject({ raw: 8, emitted: 5, merged: 3, outbound: 4 });
  });

  it('never applies while HOME_NET is any', () => {
    const { events } = correlate('outbound level Emergency', [hit({ srcIp: '10.1.2.3', destIp: '93.184.216.34' })]);
    expect(events[0]!.level).toBe('Warning');
  });
});

describe('refused: evidence that the target turned the attempt away', () => {
  const p = 'refused classtype web-application-attack, http_status 400|404|501, server "Apache"\nrefused smtp_reply 5xx';
  const web = (http: Record<string, unknown>) => hit({ classtype: 'web-application-attack', http });

  it('lowers to Information with the reason', () => {
    const { events, stats } = correlate(p, [
      web({ status: 404, url: '/scripts/root.exe' }),
      web({ status: 200 }),
      web({ status: 200, server: 'Apache/2.2.3 (CentOS)' }),
      web({ status: '501' }),
      web({ status: 200, response_headers: [{ name: 'Server', value: 'apache' }] }),
      web({ status: 200, server: 'Microsoft-IIS/5.0' }),
      hit({ smtp: { reply_code: 550 } }),
      hit({ smtp: { reply_code: '250' } }),
    ]);
    expect(events.map((e) => e.level)).toEqual(['Information', 'Warning', 'Information', 'Information', 'Information', 'Warning', 'Information', 'Warning']);
    expect(events[0]!.fp_reason).toBe('target answered HTTP 404 (test.policy:1)');
    expect(events[2]!.fp_reason).toBe('target runs "Apache/2.2.3 (CentOS)", which this attack cannot hit (test.policy:1)');
    expect(events[6]!.fp_reason).toBe('mail server replied 550 (test.policy:2)');
    expect(events[0]!.correlation?.changes?.[0]).toMatchObject({ reason: 'refused', from: 'Warning', to: 'Information' });
    expect(events[1]!.fp_reason).toBeUndefined();
    expect(stats.refused).toBe(5);
  });

  it('without a selector, only lowers attack attempts (Warning), not signs of success', () => {
    const { events } = correlate('refused http_status 404', [hit({ classtype: 'trojan-activity', http: { status: 404 } })]);
    expect(events[0]!.level).toBe('Critical');
    expect(events[0]!.fp_reason).toBeUndefined();
  });

  it('refused attempts do not count towards escalation', () => {
    const policy = 'refused classtype attempted-admin, http_status 404\nescalate classtype attempted-admin, track by_src, count 3, seconds 60';
    const hits = [0, 1, 2, 3].map((t) => hit({ tsUs: sec(t), http: { status: t < 3 ? 404 : 200 } }));
    const { events } = correlate(policy, hits);
    expect(events.map((e) => e.level)).toEqual(['Information', 'Information', 'Information', 'Warning']);
  });

  it('an outbound attack stays an Emergency even if the outside target refused it', () => {
    const policy = 'outbound level Emergency\nrefused classtype attempted-admin, http_status 404';
    const { events } = correlate(policy, [hit({ srcIp: '10.0.0.5', destIp: '8.8.4.4', http: { status: 404 } })], HOME);
    expect(events[0]!.level).toBe('Emergency');
    expect(events[0]!.fp_reason).toBeUndefined();
  });
});

describe('except: analyst exception lists', () => {
  it('by sid, by host or CIDR or variable, by URI pattern, and all of them together', () => {
    const policy = [
      'ipvar VULN_SCANNER 192.0.2.200',
      'except sig_id 2001|2002',
      'except ip 198.18.0.0/15',
      'except src $VULN_SCANNER',
      'except uri "/healthcheck*"',
      'except sig_id 3000, dst 203.0.113.9, uri "*.php?id=*"',
    ].join('\n');
    const { events, stats } = correlate(policy, [
      hit({ sid: 2001 }), // sid
      hit({ sid: 2003 }), // kept
      hit({ destIp: '198.19.1.1' }), // CIDR, either end
      hit({ srcIp: '192.0.2.200' }), // variable
      hit({ destIp: '192.0.2.200' }), // kept: src only
      hit({ http: { url: '/healthcheck/ready' } }), // uri
      hit({ http: { url: '/index.html' } }), // kept
      hit({ sid: 3000, destIp: '203.0.113.9', http: { url: '/item.php?id=1' } }), // all three
      hit({ sid: 3000, destIp: '203.0.113.8', http: { url: '/item.php?id=1' } }), // kept: other host
    ]);
    expect(events.map((e) => `${e.sid} ${e.srcIp}>${e.destIp} ${String(e.http?.url ?? '')}`)).toEqual([
      '2003 198.51.100.7>192.0.2.10 ',
      '1000 198.51.100.7>192.0.2.200 ',
      '1000 198.51.100.7>192.0.2.10 /index.html',
      '3000 198.51.100.7>203.0.113.8 /item.php?id=1',
    ]);
    expect(stats.suppressed).toBe(5);
    expect(stats.statements.map((s) => [s.at, s.suppressed])).toEqual([
      ['test.policy:2', 1],
      ['test.policy:3', 1],
      ['test.policy:4', 1],
      ['test.policy:5', 1],
      ['test.policy:6', 1],
    ]);
  });
});
