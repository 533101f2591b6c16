import { describe, expect, it } from 'vitest';
import { CandidateSet, Prefilter, type PrefilterPattern } from '../../../src/match/prefilter/index.js';
import { HASH_MUL } from '../../../src/match/prefilter/step-tables.js';
import { bytesOf, referenceIds, sorted } from './reference.js';

function pat(id: number, text: string | Uint8Array, nocase = false): PrefilterPattern {
  return { id, bytes: typeof text === 'string' ? bytesOf(text) : text, nocase };
}

function found(m: Prefilter, buf: Uint8Array, start?: number, end?: number): number[] {
  const out = m.createCandidateSet();
  m.scan(buf, out, start, end);
  return sorted(out.toArray());
}

describe('Prefilter edge cases', () => {
  it('builds and scans with no patterns', () => {
    const m = Prefilter.build([]);
    expect(m.idLimit).toBe(0);
    expect(found(m, bytesOf('anything at all'))).toEqual([]);
    const s = m.createStream();
    const out = m.createCandidateSet();
    m.scanStream(s, bytesOf('abc'), out);
    expect(out.count).toBe(0);
  });

  it('finds 1-byte patterns at the edges of the buffer and of a subrange', () => {
    const m = Prefilter.build([pat(0, 'x'), pat(1, 'Y', true), pat(2, 'Z'), pat(3, '\x00')]);
    expect(found(m, bytesOf('x'))).toEqual([0]);
    expect(found(m, bytesOf('abcy'))).toEqual([1]);
    expect(found(m, bytesOf('zzz'))).toEqual([]); // case-sensitive Z
    expect(found(m, bytesOf('Z\x00'))).toEqual([2, 3]);
    const buf = bytesOf('x..Y..Z');
    expect(found(m, buf, 1, 6)).toEqual([1]);
    expect(found(m, buf, 0, 0)).toEqual([]);
  });

  it('reports every id of duplicate patterns, and an id once however many patterns carry it', () => {
    const m = Prefilter.build([pat(5, 'evil'), pat(9, 'evil'), pat(2, 'EVIL', true), pat(7, 'other'), pat(7, 'evil')]);
    expect(m.distinctPatterns).toBe(3);
    expect(found(m, bytesOf('so evil'))).toEqual([2, 5, 7, 9]);
    expect(found(m, bytesOf('so EvIl'))).toEqual([2]);
    const out = m.createCandidateSet();
    m.scan(bytesOf('evil other evil'), out);
    expect(out.count).toBe(4);
  });

  it('finds patterns that are prefixes, suffixes and infixes of one another', () => {
    const ps = [pat(0, 'abcdef'), pat(1, 'abc'), pat(2, 'def'), pat(3, 'cd'), pat(4, 'f'), pat(5, 'abcdefg'), pat(6, 'bcde')];
    const m = Prefilter.build(ps);
    for (const text of ['abcdef', 'xabcdefx', 'abcdefg', 'abcde', 'bcdef', 'ab cd ef', 'abcabcdefdef']) {
      const buf = bytesOf(text);
      expect(found(m, buf), text).toEqual(referenceIds(ps, buf));
    }
  });

  it('handles all 256 byte values, in 1-byte and longer patterns', () => {
    const ps: PrefilterPattern[] = [];
    for (let b = 0; b < 256; b++) ps.push({ id: b, bytes: Uint8Array.of(b), nocase: false });
    for (let b = 0; b < 256; b++) ps.push({ id: 256 + b, bytes: Uint8Array.of(b, 255 - b, b, (b * 7) & 255), nocase: (b & 1) === 1 });
    const m = Prefilter.build(ps);
    const all = Uint8Array.from({ length: 256 }, (_, b) => b);
    expect(found(m, all)).toEqual(referenceIds(ps, all));
    const some = Uint8Array.of(200, 55, 200, (200 * 7) & 255, 0x80, 0x7f);
    expect(found(m, some)).toEqual(referenceIds(ps, some));
  });

  it('folds ASCII letters only under nocase', () => {
    // '[' (0x5b) and '{' (0x7b) differ by 0x20 like 'A'/'a' but are not letters; neither are 0xc1/0xe1.
    const ps = [pat(0, '[x]', true), pat(1, '\xc1bc', true), pat(2, '@`', true), pat(3, 'MiXeD', true)];
    const m = Prefilter.build(ps);
    expect(found(m, bytesOf('{X}'))).toEqual([]);
    expect(found(m, bytesOf('[X]'))).toEqual([0]);
    expect(found(m, bytesOf('\xe1BC'))).toEqual([]);
    expect(found(m, bytesOf('\xc1BC'))).toEqual([1]);
    expect(found(m, bytesOf('@`'))).toEqual([2]);
    expect(found(m, bytesOf('`@'))).toEqual([]);
    expect(found(m, bytesOf('mixed'))).toEqual([3]);
  });

  it('keeps case-sensitive and nocase twins apart', () => {
    const ps = [pat(0, 'GET'), pat(1, 'get', true), pat(2, 'Host:'), pat(3, 'host:', true)];
    const m = Prefilter.build(ps);
    expect(found(m, bytesOf('get host:'))).toEqual([1, 3]);
    expect(found(m, bytesOf('GET Host:'))).toEqual([0, 1, 2, 3]);
    expect(found(m, bytesOf('Get HOST:'))).toEqual([1, 3]);
  });

  it('finds long patterns and patterns longer than the buffer', () => {
    const long = 'A'.repeat(300) + 'needle' + 'B'.repeat(300);
    const ps = [pat(0, long), pat(1, long.toLowerCase(), true), pat(2, 'needle')];
    const m = Prefilter.build(ps);
    expect(found(m, bytesOf('x' + long + 'y'))).toEqual([0, 1, 2]);
    expect(found(m, bytesOf(long.slice(1)))).toEqual([2]);
    expect(m.maxPatternLength).toBe(606);
  });

  it('rejects bad patterns, ranges and sets with clear errors', () => {
    expect(() => Prefilter.build([pat(0, '')])).toThrow(/non-empty/);
    expect(() => Prefilter.build([pat(-1, 'a')])).toThrow(/id/);
    expect(() => Prefilter.build([pat(1.5, 'a')])).toThrow(/id/);
    const m = Prefilter.build([pat(10, 'abc')]);
    expect(() => m.scan(bytesOf('abc'), new CandidateSet(5))).toThrow(RangeError);
    expect(() => m.scan(bytesOf('abc'), m.createCandidateSet(), 2, 1)).toThrow(RangeError);
    expect(() => m.scan(bytesOf('abc'), m.createCandidateSet(), 0, 4)).toThrow(RangeError);
    expect(() => m.scanWithContext(bytesOf('abc'), 2, 1, 3, m.createCandidateSet())).toThrow(RangeError);
    const other = Prefilter.build([pat(0, 'abcdefgh')]);
    expect(() => m.scanStream(other.createStream(), bytesOf('abc'), m.createCandidateSet())).toThrow(/different prefilter/);
  });

  it('adds to the set across scans until cleared, and one set can serve several matchers', () => {
    const a = Prefilter.build([pat(0, 'alpha'), pat(2, 'gamma')]);
    const b = Prefilter.build([pat(1, 'beta'), pat(3, 'delta')]);
    const out = new CandidateSet(4);
    a.scan(bytesOf('alpha beta'), out);
    b.scan(bytesOf('alpha beta'), out);
    expect(sorted(out.toArray())).toEqual([0, 1]);
    a.scan(bytesOf('gamma alpha'), out);
    expect(out.toArray()).toEqual([0, 1, 2]);
    out.clear();
    expect(out.count).toBe(0);
    expect(out.has(0)).toBe(false);
    b.scan(bytesOf('delta'), out);
    expect(out.toArray()).toEqual([3]);
  });

  it('stays correct across many scans with one matcher (bits cleared during a scan come back)', () => {
    const ps = [pat(0, 'a'), pat(1, 'ab'), pat(2, 'abc'), pat(3, 'abcd'), pat(4, 'bcd', true), pat(5, 'xyzzy')];
    const m = Prefilter.build(ps);
    const texts = ['abcd abcd', 'xyzzy', 'zzz', 'ABCD', 'a', 'bcdbcd xyzzy a', ''];
    for (let round = 0; round < 3; round++) {
      for (const t of texts) expect(found(m, bytesOf(t)), t).toEqual(referenceIds(ps, bytesOf(t)));
    }
  });

  it.each(['step', 'byte'] as const)('survives the scan counter wrapping around (%s engine)', (engine) => {
    const ps = [pat(0, 'a'), pat(1, 'bc'), pat(2, 'defg'), pat(3, 'hijklmnop', true)];
    const m = Prefilter.build(ps, { engine });
    // The counter is internal; start it just below the wrap to exercise the reset path.
    const found_ = (m as unknown as { scanner: { found: { epoch: number } } }).scanner.found;
    expect(typeof found_.epoch).toBe('number');
    found_.epoch = -3;
    for (let k = 0; k < 8; k++) {
      const text = ['a bc', 'defg HIJKLMNOP', 'nothing', 'bc defg'][k % 4]!;
      expect(found(m, bytesOf(text)), `${k}`).toEqual(referenceIds(ps, bytesOf(text)));
    }
  });

  it('reports the occurrences completed by the new bytes when given earlier context', () => {
    const ps = [pat(0, 'split'), pat(1, 'it'), pat(2, 'sp'), pat(3, 'later')];
    const m = Prefilter.build(ps);
    const buf = bytesOf('xxspl|it later');
    const out = m.createCandidateSet();
    // Context starts at 0, new bytes from 5 ('|'): "split" does not occur, "it" and "later" end in the new part.
    m.scanWithContext(buf, 0, 5, buf.length, out);
    expect(sorted(out.toArray())).toEqual([1, 3]);
    const joined = bytesOf('xxsplit later');
    out.clear();
    m.scanWithContext(joined, 0, 5, joined.length, out);
    expect(sorted(out.toArray())).toEqual(referenceIds(ps, joined, 5, joined.length, 0));
    expect(sorted(out.toArray())).toEqual([0, 1, 3]);
  });

  it('keeps a filter bit set while another key behind it is still unfound', () => {
    // Two 7-byte patterns (keyed on their four 4-byte windows) with windows on one bit of a
    // 2^10-bit filter: finding the first must not hide the second.
    const bits = 10;
    const bitOf = (b: Uint8Array, at: number): number =>
      Math.imul((b[at + 3]! << 24) | (b[at + 2]! << 16) | (b[at + 1]! << 8) | b[at]!, HASH_MUL) >>> (32 - bits);
    const first = 'qwertyu';
    const firstBits = new Set([0, 1, 2, 3].map((o) => bitOf(bytesOf(first), o)));
    let second = '';
    for (let k = 0; second === '' && k < 1e6; k++) {
      const t = 'zzz' + String.fromCharCode(97 + (k % 26), 97 + ((k / 26) % 26 | 0), 97 + ((k / 676) % 26 | 0), 97 + ((k / 17576) % 26 | 0));
      if ([0, 1, 2, 3].some((o) => firstBits.has(bitOf(bytesOf(t), o)))) second = t;
    }
    expect(second).not.toBe('');
    const ps = [pat(0, first), pat(1, second)];
    const m = Prefilter.build(ps, { quadFilterBits: bits, maxKeyLookahead: 0 });
    expect(found(m, bytesOf(`${first} ${first} ${second}`))).toEqual([0, 1]);
    expect(found(m, bytesOf(`${second} ${first}`))).toEqual([0, 1]);
    expect(found(m, bytesOf(`.${first}..${second}`))).toEqual([0, 1]);
  });

  it('rejects out-of-range options', () => {
    expect(() => Prefilter.build([pat(0, 'abcd')], { quadFilterBits: 0 })).toThrow(RangeError);
    expect(() => Prefilter.build([pat(0, 'abcd')], { quadFilterBits: 25 })).toThrow(RangeError);
    expect(() => Prefilter.build([pat(0, 'abcd')], { maxKeyLookahead: -1 })).toThrow(RangeError);
  });

  it('reports its table memory', () => {
    const m = Prefilter.build([pat(0, 'abcd'), pat(1, 'xy'), pat(2, 'q')], { engine: 'step' });
    expect(m.memoryBytes).toBeGreaterThan(0);
    expect(m.quadFilterBits).toBeGreaterThanOrEqual(10);
    expect(Prefilter.build([pat(0, 'abcd'), pat(1, 'xy'), pat(2, 'q')], { engine: 'teddy' }).memoryBytes).toBeGreaterThan(0);
  });
});

describe('Prefilter engines', () => {
  it('chooses Teddy for port-group-sized sets, else the step engine, and the byte engine for many short text patterns', () => {
    const long = Array.from({ length: 50 }, (_, k) => pat(k, `/cgi-bin/script${k}.cgi`));
    expect(Prefilter.build(long).engine).toBe('teddy');
    expect(Prefilter.build([...long, pat(50, '=+'), pat(51, '\xff\xd8')]).engine).toBe('teddy');
    // Past Teddy's 512 patterns, the step engine, unless short text patterns keyed on pairs
    // such as "er", "in", "th" would hit every few bytes.
    const many = Array.from({ length: 600 }, (_, k) => pat(k, `/cgi-bin/script${k}.cgi`));
    expect(Prefilter.build(many).engine).toBe('step');
    const letters = 'etaoinsr';
    const words = [...letters].flatMap((x) => [...letters].map((y) => `${x}${y}${x}n`));
    const text = words.map((w, k) => pat(1000 + k, w, true));
    expect(Prefilter.build([...many, ...text]).engine).toBe('byte');
    expect(Prefilter.build([...many, ...text], { engine: 'step' }).engine).toBe('step');
    expect(Prefilter.build(long, { engine: 'byte' }).engine).toBe('byte');
    expect(() => Prefilter.build(long, { engine: 'other' as 'step' })).toThrow(RangeError);
    expect(() => Prefilter.build(many, { engine: 'teddy' })).toThrow(RangeError);
  });

  it('finds 2-byte patterns at odd and even offsets, with and without 1-byte patterns in the set', () => {
    for (const extra of [[], [pat(9, '\x01')]]) {
      // "=+" and "{]" begin with rare bytes (keyed on their first byte's row); "ab" with a common one.
      const ps = [pat(0, '=+'), pat(1, '{]'), pat(2, 'AB', true), pat(3, 'qwertyuiop'), ...extra];
      for (const engine of ['step', 'byte'] as const) {
        const m = Prefilter.build(ps, { engine });
        for (const text of ['=+', 'x=+', 'xx=+', 'xxx=+xx', '==+', '=x+{]', 'x{]', 'xxab', 'xxxaB', '=', '+', 'qwertyuiop=+', 'xqwertyuiopx{]', '\x01=']) {
          const buf = bytesOf(text);
          expect(found(m, buf), `${engine} ${text}`).toEqual(referenceIds(ps, buf));
          for (let from = 0; from <= buf.length; from++) {
            expect(found(m, buf, from), `${engine} ${text} from ${from}`).toEqual(referenceIds(ps, buf, from));
          }
        }
      }
    }
  });

  it('searches a few 1-byte and common-first-byte 2-byte patterns alone, with context and range limits kept', () => {
    const ps = [pat(0, '=='), pat(1, 'e', true), pat(2, 'ab', true), pat(3, 'qwertyuiop'), pat(4, '{]'), pat(5, 'xyz')];
    const m = Prefilter.build(ps, { engine: 'step' });
    // The pairs at every position need no probing: those patterns are searched on their own.
    expect((m as unknown as { scanner: { everyPair: boolean } }).scanner.everyPair).toBe(false);
    for (const text of ['==', 'x==', 'xE', 'xxAbxx', 'qwertyuiop=', 'zz{]xyz', '=x=', 'aB', '']) {
      const buf = bytesOf(text);
      for (let from = 0; from <= buf.length; from++) {
        for (let to = from; to <= buf.length; to++) {
          expect(found(m, buf, from, to), `${text} [${from}, ${to})`).toEqual(referenceIds(ps, buf, from, to));
          // With context: occurrences in [0, to) ending after `from`.
          const out = m.createCandidateSet();
          if (from < to) m.scanWithContext(buf, 0, from, to, out);
          const want = ps.filter((p) => endsAfter(p, buf, from, to)).map((p) => p.id);
          expect(sorted(out.toArray()), `${text} context, new [${from}, ${to})`).toEqual(from < to ? want : []);
        }
      }
    }
  });

  it('searches a set of a few patterns pattern by pattern over long ranges, with the same results', () => {
    const sets = [
      [pat(0, 'whoami'), pat(1, 'org.apache.spark.deploy')],
      [pat(0, 'ab', true), pat(1, 'x'), pat(2, 'Zq', true), pat(3, 'long enough pattern')],
      [pat(0, 'twoletters', true), pat(1, 'QQ')],
    ];
    for (const ps of sets) {
      const m = Prefilter.build(ps, { engine: 'step' });
      for (const at of [0, 1, 3, 150, 297, 300 - 6]) {
        for (const p of ps) {
          const buf = new Uint8Array(300).fill(0x2e);
          buf.set(p.nocase ? p.bytes.map((b) => (b >= 0x61 && b <= 0x7a ? b - 0x20 : b)) : p.bytes, Math.min(at, 300 - p.bytes.length));
          for (const [from, to] of [[0, 300], [0, 299], [1, 300], [10, 280], [0, 40]] as const) {
            expect(found(m, buf, from, to), `${p.id} at ${at} [${from}, ${to})`).toEqual(referenceIds(ps, buf, from, to));
            const out = m.createCandidateSet();
            m.scanWithContext(buf, 0, from, to, out);
            expect(sorted(out.toArray()), `${p.id} at ${at} context [${from}, ${to})`).toEqual(ps.filter((q) => endsAfter(q, buf, from, to)).map((q) => q.id));
          }
        }
      }
    }
  });

  it('scans views at any offset of their memory, never reporting bytes outside the view', () => {
    const ps = [pat(0, 'attack'), pat(1, 'ck'), pat(2, 'qwertyuiop'), pat(3, 'x1')];
    const m = Prefilter.build(ps, { engine: 'step' });
    const text = 'qwertyuiop attack x1 qwertyuiop';
    for (let offset = 0; offset < 8; offset++) {
      // The memory around the view holds every pattern too.
      const memory = bytesOf(`${'attackqwertyuiopx1ck'.slice(0, offset)}${text}attackqwertyuiopx1ck`);
      const view = memory.subarray(offset, offset + text.length);
      for (let from = 0; from < view.length; from++) {
        for (const to of [from + 1, from + 5, view.length]) {
          if (to > view.length) continue;
          expect(found(m, view, from, to), `offset ${offset} [${from}, ${to})`).toEqual(referenceIds(ps, view, from, to));
        }
      }
    }
  });

  it('agree with each other on long patterns at every alignment', () => {
    const ps = [pat(0, 'GET /admin/config.php'), pat(1, 'x-forwarded-for:', true), pat(2, Uint8Array.of(0x00, 0x01, 0x86, 0xa5, 0x00, 0x00, 0x00, 0x02))];
    const step = Prefilter.build(ps, { engine: 'step' });
    const byte = Prefilter.build(ps, { engine: 'byte' });
    for (const p of ps) {
      for (let pad = 0; pad < 9; pad++) {
        const buf = new Uint8Array(pad * 2 + p.bytes.length);
        buf.fill(0x2e);
        buf.set(p.bytes, pad);
        const want = referenceIds(ps, buf);
        expect(found(step, buf)).toEqual(want);
        expect(found(byte, buf)).toEqual(want);
        // Cut one byte off either end: the occurrence is gone.
        expect(found(step, buf, pad + 1)).toEqual(referenceIds(ps, buf, pad + 1));
        expect(found(step, buf, 0, pad + p.bytes.length - 1)).toEqual(referenceIds(ps, buf, 0, pad + p.bytes.length - 1));
      }
    }
  });
});

describe('Prefilter streams', () => {
  it('finds a pattern split across two chunks, once, in the chunk where it ends', () => {
    const m = Prefilter.build([pat(0, 'attack'), pat(1, 'ck')]);
    const s = m.createStream();
    const out = m.createCandidateSet();
    m.scanStream(s, bytesOf('xx att'), out);
    expect(out.count).toBe(0);
    m.scanStream(s, bytesOf('ack yy'), out);
    expect(sorted(out.toArray())).toEqual([0, 1]);
    out.clear();
    m.scanStream(s, bytesOf('zz'), out);
    expect(out.count).toBe(0);
  });

  it('finds a pattern spread over many one-byte chunks', () => {
    const m = Prefilter.build([pat(7, 'User-Agent: evil', true)]);
    const s = m.createStream();
    const out = m.createCandidateSet();
    const text = bytesOf('GET / HTTP/1.1\r\nuser-agent: EVIL\r\n');
    for (let i = 0; i < text.length; i++) m.scanStream(s, text, out, i, i + 1);
    expect(out.toArray()).toEqual([7]);
    expect(s.bytesSeen).toBe(text.length);
  });

  it('joins the carried tail to a large chunk at every split of a pattern', () => {
    const needle = 'Z0123456789Y';
    const m = Prefilter.build([pat(0, needle), pat(1, 'tail-end'), pat(2, 'deep inside')]);
    const filler = 'x'.repeat(70_000);
    for (let k = 1; k < needle.length; k++) {
      const s = m.createStream();
      const out = m.createCandidateSet();
      m.scanStream(s, bytesOf('head ' + needle.slice(0, k)), out);
      expect(out.count).toBe(0);
      m.scanStream(s, bytesOf(needle.slice(k) + filler + 'deep inside' + filler + 'tail-end'), out);
      expect(sorted(out.toArray()), `split at ${k}`).toEqual([0, 1, 2]);
    }
  });

  it('forgets the past after reset', () => {
    const m = Prefilter.build([pat(0, 'abcdef')]);
    const s = m.createStream();
    const out = m.createCandidateSet();
    m.scanStream(s, bytesOf('abc'), out);
    s.reset();
    m.scanStream(s, bytesOf('def'), out);
    expect(out.count).toBe(0);
  });
});

/** Whether the pattern occurs in buf[0, to) at a position whose end lies after `from`. */
function endsAfter(p: PrefilterPattern, buf: Uint8Array, from: number, to: number): boolean {
  const fold = (b: number): number => (p.nocase && b >= 0x41 && b <= 0x5a ? b + 0x20 : b);
  for (let at = 0; at + p.bytes.length <= to; at++) {
    if (at + p.bytes.length <= from) continue;
    let ok = true;
    for (let j = 0; ok && j < p.bytes.length; j++) ok = fold(buf[at + j]!) === fold(p.bytes[j]!);
    if (ok) return true;
  }
  return false;
}
