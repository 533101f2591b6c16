/**
 * Rules whose only positive payload keyword is a pcre are screened by the pcre's literal set
 * (src/match/pcre-literal.ts): they still fire on every encoding the pcre allows, and they are
 * no longer evaluated on buffers that hold none of the literals.
 */
import { describe, expect, it } from 'vitest';
import { Scanner } from '../../src/match/scanner.js';
import { rulesetOf } from './helpers.js';

const RULES = [
  // An overlong UTF-8 slash or dot, raw or percent-encoded: no literal common to the encodings.
  'alert http any any -> any any (msg:"overlong"; http.uri.raw; pcre:"/(?:%[cC]0|\\xc0)(?:%[aA][eEfF]|[\\xae\\xaf])/"; sid:1;)',
  // A short content gives way to the pcre literals (the stat code is in nearly every record).
  'alert http any any -> any any (msg:"cmd answered"; http.uri; pcre:"/^[^?]*\\/(?:cmd|root)\\.exe/i"; http.stat_code; content:"200"; sid:2;)',
  // WebDAV methods by name.
  'alert http any any -> any any (msg:"webdav"; http.method; pcre:"/^(?:PROPFIND|MKCOL|LOCK|SEARCH)$/i"; sid:3;)',
].join('\n');

function line(method: string, uri: string, status = 200): string {
  return `10.0.0.1 - - [01/Mar/2003:10:00:00 +0000] "${method} ${uri} HTTP/1.0" ${status} 100 "-" "test"`;
}

async function scan(lines: readonly string[]): Promise<{ sids: number[]; evaluated: number }> {
  const sids: number[] = [];
  const scanner = new Scanner(rulesetOf(RULES), (a) => sids.push(a.sid));
  const text = lines.join('\n') + '\n';
  const r = await scanner.scanLogStream((async function* () { yield Buffer.from(text, 'latin1'); })(), 'test.log', { format: 'combined' });
  if (r.error !== undefined) throw new Error(r.error);
  return { sids, evaluated: scanner.engine.counters.evaluated };
}

describe('pcre-only rules screened by their literals', () => {
  it('fire on every encoding the pcre allows', async () => {
    const { sids } = await scan([
      line('GET', '/scripts/..%c0%af../winnt/system32/cmd.exe'),
      line('GET', '/scripts/..%C0%AF../x'),
      line('GET', '/scripts/..\xc0\xaf../x'),
      line('GET', '/scripts/..%c0\xae./x'),
      line('GET', '/scripts/ROOT.EXE?/c+dir'),
      line('get', '/x/cmd.exe', 404),
      line('propfind', '/dav/'),
      line('LOCK', '/dav/'),
    ]);
    expect(sids).toEqual([1, 2, 1, 1, 1, 2, 3, 3]);
  });

  it('are not evaluated on records holding none of the literals', async () => {
    const benign = Array.from({ length: 50 }, (_, i) => line(i % 2 ? 'GET' : 'POST', `/news/${i}.html?q=%c1%20x`));
    const { sids, evaluated } = await scan(benign);
    expect(sids).toEqual([]);
    expect(evaluated).toBe(0);
  });
});
