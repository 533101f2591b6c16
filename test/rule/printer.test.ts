import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRules, printRule, type Rule } from '../../src/rule/index.js';

/** A rule without positions or module references, for comparing parses. */
function shape(r: Rule): unknown {
  return {
    enabled: r.enabled,
    action: r.action,
    protocol: r.protocol,
    header: [r.src, r.srcPort, r.direction, r.dst, r.dstPort],
    status: r.status,
    unsupported: r.unsupported,
    meta: r.body?.meta,
    options: r.options.map((o) => (o.module ? { keyword: o.keyword, value: o.value } : { keyword: o.keyword, raw: o.raw?.trim() ?? null })),
  };
}

function one(text: string): Rule {
  const r = parseRules(text);
  expect(r.errors, `${text}\n${r.diagnostics.map((d) => d.message).join('\n')}`).toBe(0);
  expect(r.rules).toHaveLength(1);
  return r.rules[0]!;
}

const printable = fc.string({ unit: fc.constantFrom(...'abcXYZ019 _-./:=?&%#@!'.split('')), minLength: 1, maxLength: 12 });
const bytes = fc.uint8Array({ minLength: 1, maxLength: 8 });
const contentText = fc.tuple(printable, bytes).map(([t, b]) => {
  const safe = t.replace(/[";\\|:]/g, 'x');
  return `${safe}|${[...b].map((x) => x.toString(16).padStart(2, '0')).join(' ')}|`;
});
const address = fc.constantFrom('any', '$HOME_NET', '$EXTERNAL_NET', '10.0.0.0/8', '[192.0.2.1,198.51.100.0/24]', '![10.0.0.0/8, 172.16.0.0/12]', '2001:db8::/32', '!$HOME_NET');
const port = fc.constantFrom('any', '80', '$HTTP_PORTS', '1024:', ':1023', '[80,443,8000:8080]', '!22', '[1:100, !50]');
const contentGroup = fc.tuple(contentText, fc.boolean(), fc.boolean(), fc.option(fc.integer({ min: 0, max: 50 }))).map(([c, neg, nocase, offset]) => {
  const parts = [`content:${neg ? '!' : ''}"${c}";`];
  if (nocase) parts.push('nocase;');
  if (offset !== null) parts.push(`offset:${offset};`, `depth:${c.length + 10};`);
  return parts.join(' ');
});
const pcre = fc.tuple(fc.constantFrom('a[bc]+d', '^GET\\s', 'x{2,5}y', '(?:foo|bar)baz', '\\x2f[a-z]{3}'), fc.subarray(['i', 's', 'm', 'U'])).map(([p, f]) => `pcre:"/${p}/${f.join('')}";`);
const flow = fc.constantFrom('flow:established,to_server;', 'flow:to_client;', 'flow:established;', 'flow:stateless;');
const ruleText = fc
  .record({
    disabled: fc.boolean(),
    action: fc.constantFrom('alert', 'drop', 'pass', 'reject'),
    protocol: fc.constantFrom('tcp', 'udp', 'ip', 'http', 'dns'),
    src: address,
    sport: port,
    dir: fc.constantFrom('->', '<>'),
    dst: address,
    dport: port,
    msg: printable,
    flow: fc.option(flow),
    contents: fc.array(contentGroup, { maxLength: 3 }),
    pcre: fc.option(pcre),
    sid: fc.integer({ min: 1, max: 9_999_999 }),
    rev: fc.integer({ min: 1, max: 30 }),
    extra: fc.subarray(['classtype:trojan-activity;', 'priority:2;', 'reference:url,example.com/x;', 'metadata:created_at 2024_01_01;']),
    sticky: fc.option(fc.constantFrom('dns.query;', 'http.uri;')),
  })
  .map((r) => {
    // A sticky buffer goes before the contents it selects the buffer of (one with nothing after it is an error).
    const sticky = r.sticky !== null && r.contents.length > 0 ? r.sticky : '';
    const opts = [`msg:"${r.msg}";`, r.flow ?? '', r.pcre ?? '', sticky, ...r.contents, ...r.extra, `sid:${r.sid};`, `rev:${r.rev};`].filter(Boolean);
    return `${r.disabled ? '# ' : ''}${r.action} ${r.protocol} ${r.src} ${r.sport} ${r.dir} ${r.dst} ${r.dport} (${opts.join(' ')})`;
  });

describe('printRule', () => {
  it('prints the canonical form', () => {
    const r = one('alert  tcp [10.0.0.0/8, 192.0.2.1]  any ->  $HOME_NET 80 ( msg: "hello"; content:"abc";  nocase ; sid:1; rev : 2; )');
    expect(printRule(r)).toBe('alert tcp [10.0.0.0/8,192.0.2.1] any -> $HOME_NET 80 (msg:"hello"; content:"abc"; nocase; sid:1; rev:2;)');
    expect(printRule(one('#alert tcp any any -> any any (msg:"x"; sid:1;)'))).toBe('# alert tcp any any -> any any (msg:"x"; sid:1;)');
  });

  it('parse(print(rule)) equals rule for generated rules (property)', () => {
    fc.assert(
      fc.property(ruleText, (text) => {
        const rule = one(text);
        const again = one(printRule(rule));
        expect(shape(again)).toEqual(shape(rule));
        expect(printRule(again)).toBe(printRule(rule));
      }),
      { numRuns: 300 },
    );
  });
});
