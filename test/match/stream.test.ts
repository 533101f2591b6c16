/**
 * Content on reassembled TCP streams: a pattern split over segments, or completed by segments
 * that arrived out of order, fires exactly once; retransmissions and overlaps do not fire again;
 * rules positioned from a buffer start still see each segment's start.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tcpSession } from '../../src/traffic/index.js';
import { scanPackets, sids } from './helpers.js';

const RULES = [
  'alert tcp any any -> any 80 (msg:"split"; flow:to_server,established; content:"EVILPATTERN"; sid:1;)',
  'alert tcp any any -> any 80 (msg:"chain"; flow:to_server,established; content:"FIRST"; content:"SECOND"; distance:0; within:200; sid:2;)',
].join('\n');

/** A reproducible permutation of 0..n-1 (the order segments are sent in). */
function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let r = seed;
  for (let i = n - 1; i > 0; i--) {
    r = (r * 1103515245 + 12345) & 0x7fffffff;
    const j = r % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

function session() {
  return tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1_000_000 });
}

describe('stream matching', () => {
  it('fires once on a pattern split across segments', async () => {
    const s = session().handshake();
    s.send('client', 'xxxxEVILPATTERNyyyy', { splitAt: [6, 9, 17] });
    s.close();
    expect(sids(await scanPackets(RULES, s.packets()))).toEqual([1]);
  });

  it('fires once when the segment completing the pattern arrived first', async () => {
    const s = session().handshake();
    s.send('client', 'xxxxEVILPATTERNyyyy', { splitAt: [6, 9], order: [2, 1, 0] });
    s.close();
    expect(sids(await scanPackets(RULES, s.packets()))).toEqual([1]);
  });

  it('fires once for a chain whose contents are in different segments', async () => {
    const s = session().handshake();
    s.send('client', 'aaFIRSTbbbbbbbbbbbbbbbbbbbbSECONDcc', { splitAt: [5, 12, 30] });
    s.close();
    expect(sids(await scanPackets(RULES, s.packets()))).toEqual([2]);
  });

  it('does not fire again for retransmitted segments', async () => {
    const s = session().handshake();
    s.send('client', 'xxEVILPATTERNyy', { splitAt: [4, 9], duplicate: [0, 1, 2] });
    s.close();
    expect(sids(await scanPackets(RULES, s.packets()))).toEqual([1]);
  });

  it('fires once per occurrence when the pattern comes back in later data', async () => {
    const s = session().handshake();
    s.send('client', 'EVILPATTERN then later ');
    s.send('client', 'EVILPATTERN again');
    s.close();
    expect(sids(await scanPackets(RULES, s.packets()))).toEqual([1, 1]);
  });

  it('matches contents positioned from the start of each segment (depth)', async () => {
    const rule = 'alert tcp any any -> any 80 (msg:"depth"; flow:to_server; content:"CMD "; depth:4; sid:3;)';
    const s = session().handshake();
    s.send('client', 'CMD one\r\n');
    s.send('client', 'CMD two\r\n');
    s.send('client', 'xx CMD three\r\n');
    s.close();
    expect(sids(await scanPackets(rule, s.packets()))).toEqual([3, 3]);
  });

  // An SMB Trans2 request as EternalBlue sends it: a NetBIOS header, then the SMB header anchored at offset 4.
  const TRANS2 = Buffer.concat([Buffer.from([0, 0, 0, 0x51, 0xff, 0x53, 0x4d, 0x42, 0x32]), Buffer.alloc(52, 0x41), Buffer.from([0x0e, 0x00]), Buffer.alloc(20, 0x42)]);
  const TRANS2_RULE = 'alert tcp any any -> any 445 (msg:"trans2"; flow:to_server,established; content:"|FF|SMB|32|"; offset:4; depth:5; content:"|0e 00|"; distance:52; within:2; sid:4;)';
  function smbSession() {
    return tcpSession({ client: '10.0.0.1:40001', server: '10.0.0.2:445', startUs: 1_000_000 });
  }
  const oneByte = (n: number): number[] => Array.from({ length: n - 1 }, (_, i) => i + 1);

  it('anchors a message at the stream start however small the segments it comes in', async () => {
    for (const size of [1, 3, 7]) {
      const s = smbSession().handshake();
      s.send('client', TRANS2, { splitAt: oneByte(TRANS2.length).filter((k) => k % size === 0) });
      s.close();
      expect(sids(await scanPackets(TRANS2_RULE, s.packets())), `${size}-byte segments`).toEqual([4]);
    }
  });

  it('anchors the message that starts a turn, after the other side spoke, in one-byte segments', async () => {
    const s = smbSession().handshake();
    s.send('client', 'negotiate........');
    s.send('server', 'negotiate response');
    s.send('client', TRANS2, { splitAt: oneByte(TRANS2.length) });
    s.close();
    expect(sids(await scanPackets(TRANS2_RULE, s.packets()))).toEqual([4]);
  });

  it('inspects data carried on the RST that closes the session, once', async () => {
    const s = session().handshake();
    s.send('client', 'hello ');
    s.segment('client', { data: 'xxEVILPATTERNyy', flags: 'RA' });
    expect(sids(await scanPackets(RULES, s.packets()))).toEqual([1]);
  });

  it('does not join data across a hole in the stream', async () => {
    const s = session().handshake();
    s.send('client', 'xxEVIL', { ack: false });
    s.skip('client', 10);
    s.send('client', 'PATTERNyy');
    s.close();
    expect(sids(await scanPackets(RULES, s.packets()))).toEqual([]);
  });

  it('past its memory budget keeps no inspected tail, and says so', async () => {
    const s = session().handshake();
    s.send('client', 'xxxxEVILPATTERNyyyy', { splitAt: [6, 9, 17] });
    s.close();
    const { Scanner } = await import('../../src/match/scanner.js');
    const { rulesetOf } = await import('./helpers.js');
    const { encodePcap } = await import('../../src/traffic/index.js');
    const alerts: number[] = [];
    const scanner = new Scanner(rulesetOf(RULES), (a) => alerts.push(a.sid), { engine: { maxWindowBytes: 0 } });
    const bytes = encodePcap(s.packets());
    await scanner.scanCaptureStream((async function* () { yield bytes; })(), 'budget.pcap');
    expect(alerts).toEqual([]);
    expect(scanner.counters()['kanshi.detect.stream_windows_without_tail']).toBeGreaterThan(0);
  });

  it('any segmentation and order of a stream holding one occurrence fires exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' '), maxLength: 40 }),
        fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' '), maxLength: 40 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 90 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 1000 }),
        async (before, after, cuts, seed) => {
          const data = `${before}EVILPATTERN${after}FIRST--SECOND`;
          const splitAt = cuts.filter((c) => c < data.length).sort((x, y) => x - y);
          const order = shuffled(splitAt.length + 1, seed);
          const s = session().handshake();
          s.send('client', data, { splitAt, order });
          s.close();
          const got = sids(await scanPackets(RULES, s.packets())).sort();
          expect(got, `${JSON.stringify(data)} split ${splitAt} order ${order}`).toEqual([1, 2]);
        },
      ),
      { numRuns: 120 },
    );
  });
});

describe('keywords that need bytes past the cursor', () => {
  // The anchor content ends where a segment may end; what byte_test and isdataat need comes later.
  const AHEAD = [
    'alert tcp any any -> any 80 (msg:"length"; flow:to_server,established; content:"LENHDR"; byte_test:2,>,100,0,relative; sid:10;)',
    'alert tcp any any -> any 80 (msg:"long"; flow:to_server,established; content:"OVERFLOW"; isdataat:12,relative; content:!"|0a|"; within:12; sid:11;)',
    'alert tcp any any -> any 80 (msg:"absolute"; flow:to_server,established; content:"HDR"; depth:3; byte_test:1,=,0x41,8; sid:12;)',
  ].join('\n');
  const DATA = 'HDRxxxxxA LENHDR\x01\x00 OVERFLOW0123456789abcdef tail';

  it('fire once when the bytes they need arrive in a later segment', async () => {
    const s = session().handshake();
    // Cuts right after "HDR", "LENHDR" and "OVERFLOW".
    s.send('client', Buffer.from(DATA, 'latin1'), { splitAt: [3, 16, 27] });
    s.close();
    expect(sids(await scanPackets(AHEAD, s.packets())).sort()).toEqual([10, 11, 12]);
  });

  it('any segmentation and order fires each exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: DATA.length - 1 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 1000 }),
        async (cuts, seed) => {
          const splitAt = [...cuts].sort((x, y) => x - y);
          const order = shuffled(splitAt.length + 1, seed);
          const s = session().handshake();
          s.send('client', Buffer.from(DATA, 'latin1'), { splitAt, order });
          s.close();
          const got = sids(await scanPackets(AHEAD, s.packets())).sort();
          expect(got, `split ${splitAt} order ${order}`).toEqual([10, 11, 12]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a value already seen whole does not fire again when later data arrives', async () => {
    const s = session().handshake();
    s.send('client', Buffer.from('LENHDR\x01\x00', 'latin1'));
    s.send('client', 'more data after it');
    s.close();
    expect(sids(await scanPackets(AHEAD, s.packets()))).toEqual([10]);
  });
});

describe('stream anchors out of a rule\'s reach', () => {
  // Rules positioned from a chunk start: two whose matches end within a few bytes of it, one not.
  const ANCHORED = [
    'alert tcp any any -> any any (msg:"depth"; flow:to_server,established; content:"GET "; depth:4; content:"/x"; within:3; sid:1;)',
    'alert tcp any any -> any any (msg:"offset"; flow:to_server,established; content:"ab"; offset:2; depth:6; sid:2;)',
    'alert tcp any any -> any any (msg:"unbounded"; flow:to_server,established; content:"GET "; depth:4; content:"/y"; distance:0; sid:3;)',
  ].join('\n');

  /** The end of the first occurrence of `needle` in `text` from `from` ending in (lo, hi] and not past lastEnd, or -1. */
  function endIn(text: string, needle: string, from: number, lastEnd: number, lo: number, hi: number): number {
    for (let p = text.indexOf(needle, from); p >= 0; p = text.indexOf(needle, p + 1)) {
      const end = p + needle.length;
      if (end > lastEnd) return -1;
      if (end > lo && end <= hi) return end;
    }
    return -1;
  }

  /**
   * The README's stream semantics: tried from every chunk start, counted when the match ends in
   * the chunk; after an alert, a rule's next match uses no occurrence starting before its end.
   */
  function model(chunks: readonly string[]): number[] {
    const text = chunks.join('');
    const starts: number[] = [];
    let at = 0;
    for (const c of chunks) {
      starts.push(at);
      at += c.length;
    }
    const out: number[] = [];
    const alertEnd = new Map<number, number>();
    const fire = (sid: number, anchors: number[], match: (a: number) => number): void => {
      const from = alertEnd.get(sid) ?? 0;
      for (const a of anchors) {
        if (a < from) continue;
        const end = match(a);
        if (end < 0) continue;
        out.push(sid);
        alertEnd.set(sid, end);
        return;
      }
    };
    for (let j = 0; j < chunks.length; j++) {
      const lo = starts[j]!;
      const hi = lo + chunks[j]!.length;
      const anchors = starts.slice(0, j + 1);
      const get = anchors.filter((a) => text.startsWith('GET ', a));
      fire(1, get, (a) => endIn(text, '/x', a + 4, a + 7, lo, hi));
      fire(2, anchors, (a) => endIn(text, 'ab', a + 2, a + 8, lo, hi));
      fire(3, get, (a) => endIn(text, '/y', a + 4, Infinity, lo, hi));
    }
    return out.sort();
  }

  it('fires as tried from every chunk start, however far back the chunks lie', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('GET /x', 'GET /yy', 'xxabzz', 'POST /x', 'GET  /x', 'zzzzzz/y', 'GET ', '/x', 'a', 'b'), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 8 }),
        async (requests, pads) => {
          const chunks = requests.map((r, i) => r + '-'.repeat(pads[i] ?? 0));
          const s = session().handshake();
          for (const c of chunks) s.send('client', c);
          s.close();
          const got = sids(await scanPackets(ANCHORED, s.packets())).sort();
          expect(got, JSON.stringify(chunks)).toEqual(model(chunks));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('a rule that alerted on a stream direction', () => {
  // Not chained: the cheap content may occur anywhere, the pcre anywhere else.
  const UNCHAINED = 'alert tcp any any -> any any (msg:"drop"; flow:to_server,established; content:"|ff|SMB"; pcre:"/startup.inst\\.exe/i"; sid:1;)';

  it('does not fire again when new data brings only a new occurrence of one of its keywords', async () => {
    const s = session().handshake();
    s.send('client', '\xffSMB create \\Startup\\inst.exe').send('server', 'ok');
    for (let i = 0; i < 3; i++) s.send('client', `\xffSMB write ${i}`).send('server', 'ok');
    s.close();
    expect(sids(await scanPackets(UNCHAINED, s.packets()))).toEqual([1]);
  });

  it('fires again on a new occurrence of all of them', async () => {
    const s = session().handshake();
    s.send('client', '\xffSMB create \\Startup\\inst.exe').send('server', 'ok');
    s.send('client', '\xffSMB write').send('server', 'ok');
    s.send('client', '\xffSMB create \\Startup\\inst.exe again').send('server', 'ok');
    s.close();
    expect(sids(await scanPackets(UNCHAINED, s.packets()))).toEqual([1, 1]);
  });

  it('sent one byte a segment, still fires once', async () => {
    const s = session().handshake();
    for (const c of 'MAIL FROM:<a\xff\\\xff\\\xff\\\xff\\@x>\r\n') s.send('client', c);
    s.close();
    const rule = 'alert tcp any any -> any any (msg:"prescan"; flow:to_server,established; content:"|ff|"; pcre:"/^MAIL FROM[ \\t]*:[^\\n]*(?:\\x5c\\xff|\\xff\\x5c)/mi"; sid:2;)';
    expect(sids(await scanPackets(rule, s.packets()))).toEqual([2]);
  });
});

describe('a rule positioned from a message start', () => {
  const RULE = 'alert tcp any any -> any any (msg:"cross"; flow:to_server,established; content:"AB"; depth:2; content:"XY"; distance:0; sid:1;)';

  it('does not match its later contents in a message sent after the other side spoke', async () => {
    const s = session().handshake();
    s.send('client', 'HELLO').send('server', 'ok').send('client', 'AB create').send('server', 'ok').send('client', 'write XY').send('server', 'ok').close();
    expect(sids(await scanPackets(RULE, s.packets()))).toEqual([]);
  });

  it('matches within one message, however it is segmented', async () => {
    const s = session().handshake();
    s.send('client', 'HELLO').send('server', 'ok');
    for (const c of ['A', 'B cr', 'eate X', 'Y']) s.send('client', c);
    s.close();
    expect(sids(await scanPackets(RULE, s.packets()))).toEqual([1]);
  });
});

describe('an absolute isdataat', () => {
  const RULE = 'alert tcp any any -> any any (msg:"one byte"; flow:to_server,established; isdataat:0; isdataat:!1; content:"|13|"; sid:1;)';

  it('does not make a rule tried from each segment start', async () => {
    const s = session().handshake();
    for (const c of 'POST / HTTP/1.0\r\n\r\nab\x13cd\x13') s.send('client', c);
    s.send('server', 'HTTP/1.0 200 OK\r\n\r\n').close();
    expect(sids(await scanPackets(RULE, s.packets()))).toEqual([]);
  });

  it('still holds on a stream whose data is that one byte', async () => {
    const s = session().handshake();
    s.send('client', '\x13').send('server', 'ok').close();
    expect(sids(await scanPackets(RULE, s.packets()))).toEqual([1]);
  });
});
