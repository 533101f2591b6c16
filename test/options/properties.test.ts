import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeywordModule } from '../../src/options/keyword.js';
import { CLASSIFICATION_NAMES } from '../../src/options/lib/classifications.js';
import { KEYWORDS } from '../../src/options/registry.js';
import { sink } from './helpers.js';

/**
 * Round trip for every keyword: a generated value (or value text) parses without errors,
 * parse(print(v)) deep-equals v, and print is stable. Plus: no input makes a parser throw.
 */

const int = (min: number, max: number): fc.Arbitrary<string> => fc.integer({ min, max }).map(String);
const word = fc.stringMatching(/^[a-z0-9_][a-z0-9_.\-]{0,9}$/);
const ident = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
const opt = (a: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.option(a, { nil: '' });
const join = (parts: fc.Arbitrary<string[]>, sep = ','): fc.Arbitrary<string> => parts.map((p) => p.filter((x) => x !== '').join(sep));

function range(min: number, max: number, ops: readonly string[]): fc.Arbitrary<string> {
  return fc.constantFrom(...ops).chain((op) => {
    if (op === '<>' || op === '-') {
      return fc.integer({ min, max: max - 1 }).chain((a) => fc.integer({ min: a + 1, max }).map((b) => `${a}${op}${b}`));
    }
    return fc.integer({ min, max }).map((n) => `${op === '=' ? '' : op === '!=' ? '!' : op}${n}`);
  });
}
const ALL_OPS = ['=', '!=', '<', '>', '<=', '>=', '<>', '-'];

/** Small PCRE patterns built from pieces the translator handles. */
const pcrePattern: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.constantFrom('a', 'B', '\\d', '\\s', '\\w', '.', '[a-f]', '[^\\r\\n]', '\\x41', '(?:ab|c)', '(x)', '(?i:q)', '(?>z+)', '\\/', '[[:alpha:]]', 'é'),
      fc.constantFrom('', '', '*', '+', '?', '*?', '++', '{2}', '{1,3}'),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .chain((items) => fc.tuple(fc.boolean(), fc.boolean()).map(([start, end]) => (start ? '^' : '') + items.map(([a, q]) => a + q).join('') + (end ? '$' : '')));

const byteOpts = (extra: string[]): fc.Arbitrary<string[]> =>
  fc.tuple(fc.subarray(['relative', ...extra]), fc.constantFrom('', 'big', 'little'), fc.constantFrom('', 'bitmask 0x3F')).map(([a, e, b]) => [...a, e, b]);

const GENERATORS: Record<string, fc.Arbitrary<string | null>> = {
  msg: fc.string({ maxLength: 30 }).map((s) => `"${s.replace(/[\\";]/g, (c) => '\\' + c)}"`),
  sid: int(1, 4294967295),
  rev: int(1, 4294967295),
  gid: int(0, 4294967295),
  priority: int(1, 255),
  classtype: fc.constantFrom(...CLASSIFICATION_NAMES),
  reference: fc.tuple(fc.constantFrom('url', 'cve', 'bugtraq', 'md5'), word).map(([t, id]) => `${t},${id}`),
  metadata: join(fc.array(fc.tuple(word, fc.array(word, { maxLength: 3 })).map(([k, v]) => [k, ...v].join(' ')), { minLength: 1, maxLength: 4 }), ', '),
  target: fc.constantFrom('src_ip', 'dest_ip'),
  level: fc.constantFrom('Information', 'Warning', 'Critical', 'Emergency'),
  content: fc.tuple(fc.boolean(), fc.uint8Array({ minLength: 1, maxLength: 20 })).map(([neg, b]) => `${neg ? '!' : ''}"|${Buffer.from(b).toString('hex')}|"`),
  uricontent: fc.string({ minLength: 1, maxLength: 20 }).map((s) => `"${s.replace(/[\\";|]/g, (c) => '|' + c.charCodeAt(0).toString(16) + '|')}"`),
  filename: fc.tuple(fc.boolean(), fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/)).map(([neg, s]) => `${neg ? '!' : ''}"${s}"`),
  filesize: fc.tuple(fc.constantFrom('', '<', '>', '!'), fc.integer({ min: 0, max: 1e9 })).map(([op, n]) => `${op}${n}`),
  filestore: fc.constantFrom('to_client', 'both,file', 'request,tx', 'to_server,flow'),
  fileext: fc.tuple(fc.boolean(), fc.stringMatching(/^[A-Za-z0-9]{1,5}$/)).map(([neg, s]) => `${neg ? '!' : ''}"${s}"`),
  pcre: fc
    .tuple(fc.boolean(), pcrePattern, fc.subarray(['i', 's', 'm', 'x', 'A', 'E', 'G', 'R', 'O']), fc.constantFrom('', 'U', 'H', 'P', 'Q', 'I', 'D', 'M', 'C', 'S', 'Y', 'V', 'Z'))
    .map(([neg, p, f, b]) => `${neg ? '!' : ''}"/${p}/${f.join('')}${b}"`),
  byte_test: fc
    .tuple(int(1, 8), fc.constantFrom('<', '>', '=', '&', '^', '<=', '>=', '!=', '!&'), int(0, 100000), int(-1000, 1000), byteOpts([]))
    .map(([n, op, v, o, rest]) => [n, op, v, o, ...rest].filter((x) => x !== '').join(',')),
  byte_jump: fc
    .tuple(int(0, 8), int(-100, 100), byteOpts(['align', 'from_beginning', 'post_offset -3', 'multiplier 4']))
    .map(([n, o, rest]) => [n, o, ...rest].filter((x) => x !== '').join(',')),
  byte_extract: fc
    .tuple(int(1, 4), int(0, 100), ident, byteOpts(['align 4', 'multiplier 2']))
    .map(([n, o, v, rest]) => [n, o, v, ...rest].filter((x) => x !== '').join(',')),
  byte_math: fc
    .tuple(int(1, 4), int(0, 100), fc.constantFrom('+', '-', '*', '/', '<<', '>>'), fc.oneof(int(0, 999), ident), ident, fc.subarray(['relative', 'endian little', 'string dec']))
    .map(([b, o, op, r, res, rest]) => [`bytes ${b}`, `offset ${o}`, `oper ${op}`, `rvalue ${r}`, `result ${res}`, ...rest].join(', ')),
  isdataat: fc.tuple(fc.boolean(), fc.oneof(int(0, 65535), ident), fc.subarray(['relative', 'rawbytes'])).map(([n, v, r]) => [`${n ? '!' : ''}${v}`, ...r].join(',')),
  bsize: range(0, 100000, ALL_OPS),
  dataset: fc
    .tuple(fc.constantFrom('set', 'unset', 'isset', 'isnotset'), word, fc.subarray(['type string', 'load a.lst', 'memcap 10mb', 'hashsize 1024']))
    .map(([c, n, o]) => [c, n, ...o].join(',')),
  datarep: fc
    .tuple(word, fc.constantFrom('>', '<', '>=', '<=', '=='), int(0, 100), fc.subarray(['type string', 'load a.csv']))
    .map(([n, op, v, o]) => [n, op, v, ...o].join(',')),
  asn1: fc
    .tuple(
      fc.boolean(),
      fc.boolean(),
      fc.option(fc.nat(4294967295), { nil: null }),
      fc.option(fc.oneof(int(0, 65535).map((n) => `absolute_offset ${n}`), int(-65535, 65535).map((n) => `relative_offset ${n}`)), { nil: null }),
    )
    .filter(([bits, dbl, size]) => bits || dbl || size !== null)
    .map(([bits, dbl, size, at]) =>
      [bits ? 'bitstring_overflow' : '', dbl ? 'double_overflow' : '', size !== null ? `oversize_length ${size}` : '', at ?? ''].filter((x) => x !== '').join(', '),
    ),
  ssl_state: fc
    .uniqueArray(fc.constantFrom('client_hello', 'server_hello', 'client_keyx', 'server_keyx', 'unknown'), { minLength: 1 })
    .chain((names) => fc.tuple(...names.map((n) => fc.boolean().map((neg) => (neg ? '!' : '') + n))))
    .chain((items) => fc.constantFrom(',', '|', ' , ', ' | ').map((sep) => items.join(sep))),
  ssl_version: fc
    .uniqueArray(fc.constantFrom('sslv2', 'sslv3', 'tls1.0', 'tls1.1', 'tls1.2', 'TLS1.3'), { minLength: 1 })
    .chain((names) => fc.tuple(...names.map((n) => fc.boolean().map((neg) => (neg ? '!' : '') + n))))
    .map((items) => items.join(', ')),
  dce_iface: fc
    .tuple(fc.uuid(), fc.option(fc.tuple(fc.constantFrom('<', '>', '=', '!'), int(0, 65535)), { nil: null }), fc.boolean())
    .map(([u, v, any]) => [u, ...(v ? [`${v[0]}${v[1]}`] : []), ...(any ? ['any_frag'] : [])].join(',')),
  dce_opnum: fc
    .array(fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 100 })), { minLength: 1, maxLength: 4 })
    .map((rs) => rs.map(([a, d]) => (d === 0 || a + d > 65535 ? `${a}` : `${a}-${a + d}`)).join(',')),
  sip_method: fc
    .uniqueArray(fc.constantFrom('invite', 'cancel', 'ack', 'bye', 'register', 'options', 'x-custom'), { minLength: 1 })
    .chain((names) => fc.tuple(...names.map((n) => fc.boolean().map((neg) => (neg ? '!' : '') + n))))
    .map((items) => items.join(',')),
  sip_stat_code: fc.array(fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 100, max: 999 })), { minLength: 1, maxLength: 4 }).map((cs) => cs.join(',')),
  base64_decode: fc.subarray(['bytes 10', 'offset 2', 'relative']).map((a) => (a.length ? a.join(', ') : null)),
  offset: fc.oneof(int(0, 65535), ident),
  depth: fc.oneof(int(1, 65535), ident),
  distance: fc.oneof(int(-65535, 65535), ident),
  within: fc.oneof(int(1, 65535), ident),
  fast_pattern: fc.oneof(fc.constant(null), fc.constant('only'), fc.tuple(int(0, 20), int(1, 20)).map(([o, l]) => `${o},${l}`)),
  flow: fc
    .tuple(
      fc.constantFrom('', 'to_server', 'from_client', 'to_client', 'from_server'),
      fc.constantFrom('', 'established', 'not_established', 'stateless'),
      fc.constantFrom('', 'only_stream', 'no_stream'),
      fc.constantFrom('', 'only_frag', 'no_frag'),
    )
    .filter((p) => p.some((x) => x !== ''))
    .chain((p) => fc.shuffledSubarray(p.filter((x) => x !== ''), { minLength: p.filter((x) => x !== '').length }))
    .map((p) => p.join(',')),
  flowbits: fc.oneof(
    fc.tuple(fc.constantFrom('set', 'unset', 'toggle', 'isset', 'isnotset', 'setx'), fc.array(word, { minLength: 1, maxLength: 3 })).map(([c, n]) => `${c},${n.join('&')}`),
    fc.tuple(fc.constantFrom('isset', 'isnotset'), fc.array(word, { minLength: 2, maxLength: 3 })).map(([c, n]) => `${c},${n.join('|')}`),
    fc.constant('noalert'),
    opt(word).map((g) => (g ? `reset,${g}` : 'reset')),
  ),
  xbits: fc.tuple(fc.constantFrom('set', 'isset', 'unset'), word, fc.constantFrom('ip_src', 'ip_dst', 'ip_pair'), opt(int(1, 999))).map(([c, n, t, e]) => `${c},${n},track ${t}${e ? `,expire ${e}` : ''}`),
  flowint: fc.tuple(word, fc.constantFrom('+', '-', '=', '==', '!=', '<', '>=')).chain(([n, op]) => fc.oneof(int(0, 999), word).map((v) => `${n},${op},${v}`)),
  flags: fc
    .tuple(fc.constantFrom('', '+', '*', '!'), fc.subarray(['F', 'S', 'R', 'P', 'A', 'U', 'C', 'E'], { minLength: 1 }), fc.subarray(['C', 'E', '1', '2']))
    .map(([m, f, mask]) => `${m}${f.join('')}${mask.length ? ',' + mask.join('') : ''}`),
  fragbits: fc.tuple(fc.constantFrom('', '+', '*', '!'), fc.subarray(['M', 'D', 'R'], { minLength: 1 })).map(([m, b]) => m + b.join('')),
  ipopts: fc.constantFrom('rr', 'eol', 'nop', 'ts', 'sec', 'esec', 'lsrr', 'lsrre', 'ssrr', 'satid', 'any'),
  ttl: range(0, 255, ALL_OPS),
  'dns.opcode': range(0, 15, ['=', '!=', '<', '>', '<=', '>=', '-']),
  xor: fc.uint8Array({ minLength: 1, maxLength: 255 }).map((k) => `"${Buffer.from(k).toString('hex')}"`),
  'icmpv6.mtu': range(0, 4294967295, ['=', '!=', '<', '>', '<=', '>=', '-']),
  tos: range(0, 255, ['=', '!=']),
  id: range(0, 65535, ALL_OPS),
  fragoffset: range(0, 8191, ['=', '!=', '<', '>', '<=', '>=']),
  seq: range(0, 4294967295, ALL_OPS),
  ack: range(0, 4294967295, ALL_OPS),
  window: range(0, 65535, ALL_OPS),
  itype: range(0, 255, ALL_OPS),
  icode: range(0, 255, ALL_OPS),
  icmp_id: range(0, 65535, ALL_OPS),
  icmp_seq: range(0, 65535, ALL_OPS),
  dsize: range(0, 65535, ALL_OPS),
  urilen: fc.tuple(range(0, 65535, ALL_OPS), fc.constantFrom('', ',norm', ',raw')).map(([r, m]) => r + m),
  ip_proto: fc.tuple(fc.constantFrom('', '!', '<', '>'), fc.oneof(int(0, 255), fc.constantFrom('tcp', 'udp', 'gre', 'icmp'))).map(([o, p]) => o + p),
  'app-layer-protocol': fc.tuple(fc.boolean(), fc.constantFrom('http', 'tls', 'dns', 'smtp', 'failed')).map(([n, p]) => (n ? '!' : '') + p),
  'decode-event': fc.tuple(fc.constantFrom('ipv4', 'ipv6', 'tcp', 'udp', 'gre'), fc.stringMatching(/^[a-z0-9_]{1,12}$/)).map(([l, e]) => `${l}.${e}`),
  'app-layer-event': fc.tuple(fc.constantFrom('http', 'smtp', 'tls'), fc.stringMatching(/^[a-z0-9_]{1,20}$/)).map(([p, e]) => `${p}.${e}`),
  'stream-event': fc.stringMatching(/^[a-z0-9_]{1,20}$/),
  'tls.version': fc.oneof(fc.constantFrom('1.0', '1.1', '1.2', '1.3', '3.0'), fc.integer({ min: 0, max: 0xffff }).map((n) => `0x${n.toString(16).padStart(4, '0')}`)),
  stream_size: fc.tuple(fc.constantFrom('server', 'client', 'both', 'either'), fc.constantFrom('<', '>', '=', '!=', '<=', '>='), int(0, 99999)).map((p) => p.join(',')),
  threshold: fc
    .tuple(fc.constantFrom('limit', 'threshold', 'both'), fc.constantFrom('by_src', 'by_dst', 'by_rule', 'by_both'), int(1, 999), int(1, 99999))
    .chain(([t, tr, c, s]) => fc.shuffledSubarray([`type ${t}`, `track ${tr}`, `count ${c}`, `seconds ${s}`], { minLength: 4 }))
    .map((p) => p.join(', ')),
  detection_filter: fc
    .tuple(fc.constantFrom('by_src', 'by_dst'), int(1, 999), int(1, 99999))
    .map(([tr, c, s]) => `track ${tr}, count ${c}, seconds ${s}`),
  tag: fc.oneof(
    fc.constantFrom('session', 'host'),
    fc.tuple(fc.constantFrom('session', 'host'), int(1, 999), fc.constantFrom('packets', 'seconds', 'bytes'), fc.constantFrom('', ',src', ',dst')).map(([t, c, m, d]) => `${t},${c},${m}${d}`),
  ),
};

/** Keywords whose value is free text kanshi keeps as written (recognised, not evaluated). */
const opaque = fc.stringMatching(/^[a-z0-9_.:\- ]{0,12}[a-z0-9_]$/);

function generatorFor(m: KeywordModule): fc.Arbitrary<string | null> | undefined {
  const g = GENERATORS[m.keyword];
  if (g !== undefined) return g;
  if (m.takesValue === 'none') return fc.constant(null);
  if (m.evaluable === false) return m.takesValue === 'optional' ? fc.option(opaque, { nil: null }) : opaque;
  return undefined;
}

describe('every keyword round-trips through print', () => {
  it('has a generator for every registered keyword', () => {
    const missing = KEYWORDS.filter((m) => generatorFor(m) === undefined).map((m) => m.keyword);
    expect(missing).toEqual([]);
  });

  for (const m of KEYWORDS) {
    const gen = generatorFor(m);
    if (gen === undefined) continue;
    it(m.keyword, () => {
      fc.assert(
        fc.property(gen, (raw) => {
          const first = sink();
          const v = m.parse(raw, first.ctx);
          expect(first.diags.filter((d) => d.severity === 'error')).toEqual([]);
          expect(v).not.toBeUndefined();
          const printed = m.print(v);
          const second = sink();
          const again = m.parse(printed, second.ctx);
          expect(second.diags.filter((d) => d.severity === 'error')).toEqual([]);
          expect(again).toEqual(v);
          expect(m.print(again)).toBe(printed);
        }),
        { numRuns: 30 },
      );
    });
  }
});

describe('parsers never throw', () => {
  it('on arbitrary text, for every keyword', () => {
    const text = fc.oneof(
      // Object.prototype names: a table lookup must not find inherited members.
      fc.constantFrom('constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'set,constructor', '[[:constructor:]]', '/[[:__proto__:]]/'),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(fc.constantFrom('"', '|', '\\', ',', '!', '<', '>', '-', '/', '(', ')', '[', ']', '{', '}', '?', '*', '+', ' ', 'a', '1', 'x', ':', ';'), { maxLength: 30 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(fc.constantFrom(...KEYWORDS), fc.option(text, { nil: null }), (m, raw) => {
        const s = sink();
        const v = m.parse(raw, s.ctx);
        // A rejected value always comes with a reason.
        if (v === undefined) expect(s.diags.some((d) => d.severity === 'error')).toBe(true);
      }),
      { numRuns: 1200 },
    );
  });

  it('on Object.prototype names in every position', () => {
    for (const m of KEYWORDS) {
      for (const raw of ['constructor', '__proto__', 'toString', ' valueOf ', '"/[[:constructor:]]/"', 'established,constructor']) {
        const s = sink();
        expect(() => m.parse(raw, s.ctx), `${m.keyword}:${raw}`).not.toThrow();
      }
    }
  });

  it('on pcre built from PCRE syntax pieces', () => {
    const piece = fc.constantFrom('(', ')', '(?', '(?:', '(?<', '(?P<n>', '(?P=n)', '[', ']', '[^', '\\', '\\x', '\\x{', '}', '{', '{2,1}', '*', '+', '?', '|', '^', '$', '\\Q', '\\E', '\\1', '\\g{-1}', 'a', '#', '\n', '(?i)', '(*', '[:alpha:]', '-');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.constantFrom('', 'x', 'i'), (parts, flags) => {
        const s = sink();
        const m = KEYWORDS.find((k) => k.keyword === 'pcre')!;
        const v = m.parse(`"/${parts.join('').replace(/;/g, '\\;')}/${flags}"`, s.ctx);
        if (v === undefined) expect(s.diags).toHaveLength(1);
      }),
      { numRuns: 500 },
    );
  });
});
