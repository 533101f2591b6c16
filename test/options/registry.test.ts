import { describe, expect, it } from 'vitest';
import { KEYWORDS, keywordNames, lookupKeyword } from '../../src/options/registry.js';
import { BUFFER_NAMES, isBufferName } from '../../src/types/buffers.js';
import { sink } from './helpers.js';

/** Every keyword the rule language must know (issue list, Suricata sticky buffers, and kanshi's level). */
const REQUIRED = (
  'msg sid rev gid classtype priority reference metadata target content nocase offset depth distance within rawbytes ' +
  'fast_pattern startswith endswith http_uri http_raw_uri http_header http_raw_header http_method http_cookie ' +
  'http_client_body http_stat_code http_stat_msg http_user_agent http_host uricontent pcre byte_test byte_jump ' +
  'byte_extract isdataat dsize urilen bsize flow flowbits flags ttl tos id ipopts fragbits fragoffset seq ack window ' +
  'itype icode icmp_id icmp_seq ip_proto sameip threshold detection_filter tag noalert http.uri http.uri.raw http.method ' +
  'http.header http.header.raw http.cookie http.request_body http.response_body http.host http.user_agent http.stat_code ' +
  'http.stat_msg pkt_data file.data file_data level'
).split(' ');

/** Keywords the ET Open and Snort community sets use (surveyed over their active and commented rules). */
const CORPUS_KEYWORDS = (
  'http.request_line http.protocol http.referer http.content_type http.accept http.accept_enc http.accept_lang ' +
  'http.connection http.content_len http.start http.header_names http.server http.location http.host.raw ' +
  'http.response_line dns.query dns_query tls.sni tls_sni tls.cert_subject tls.cert_issuer tls.cert_serial tls.certs ' +
  'tls.version ja3.hash ja3_hash ja3.string ja3s.hash ssh_proto app-layer-protocol app-layer-event xbits flowint ' +
  'stream_size base64_decode base64_data dotprefix asn1 ftpbounce dce_iface dce_opnum dce_stub_data ssl_state ' +
  'ssl_version sip_method sip_stat_code sip_header decode-event http_content_type http_header_names http_start ' +
  'http_accept http_raw_cookie http_server_body http_raw_host byte_math'
).split(' ');

describe('registry', () => {
  it('knows every keyword of the rule language', () => {
    for (const k of [...REQUIRED, ...CORPUS_KEYWORDS]) expect(lookupKeyword(k), k).toBeDefined();
  });

  it('maps aliases to their module and lists every name once', () => {
    expect(lookupKeyword('file_data')).toBe(lookupKeyword('file.data'));
    expect(lookupKeyword('dns_query')?.keyword).toBe('dns.query');
    const names = keywordNames();
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBe(KEYWORDS.reduce((n, m) => n + 1 + (m.aliases?.length ?? 0), 0));
    expect(lookupKeyword('nosuchkeyword')).toBeUndefined();
  });

  it('hands out every module with the contract members first, in one order', () => {
    // One member order means one object layout, so the loader's reads of these members stay cheap.
    const contract = ['keyword', 'aliases', 'category', 'takesValue', 'evaluable', 'singleUse', 'buffer', 'parse', 'print', 'condition', 'payloadMatcher', 'bufferCondition'];
    for (const m of KEYWORDS) {
      expect(Object.keys(m).slice(0, contract.length), m.keyword).toEqual(contract);
      expect(lookupKeyword(m.keyword), m.keyword).toBe(m);
    }
    expect(lookupKeyword('content')?.payloadMatcher).toBeTypeOf('function');
    expect(lookupKeyword('ttl')?.condition).toBeTypeOf('function');
    expect(lookupKeyword('http.uri')?.buffer).toBe('http.uri');
  });

  it('has a sticky keyword for every buffer other stages produce', () => {
    for (const b of BUFFER_NAMES) {
      const m = KEYWORDS.find((k) => k.category === 'sticky-buffer' && k.buffer === b);
      expect(m, b).toBeDefined();
    }
  });

  it('only calls a buffer evaluable when it is a shared buffer name (or base64_data, which the rule fills itself)', () => {
    for (const m of KEYWORDS) {
      if (m.buffer === 'base64_data') continue;
      if ((m.category === 'sticky-buffer' || m.category === 'modifier') && m.buffer !== undefined && m.evaluable !== false) {
        expect(isBufferName(m.buffer), `${m.keyword} -> ${m.buffer}`).toBe(true);
      }
    }
  });

  it('every module honours its takesValue', () => {
    for (const m of KEYWORDS) {
      const bare = sink();
      const v = m.parse(null, bare.ctx);
      if (m.takesValue === 'required') {
        expect(v, m.keyword).toBeUndefined();
        expect(bare.diags.map((d) => d.severity), m.keyword).toEqual(['error']);
      } else {
        expect(v, m.keyword).not.toBeUndefined();
        expect(bare.diags, m.keyword).toEqual([]);
        expect(m.print(v), m.keyword).toBeNull();
      }
      if (m.takesValue === 'none') {
        const withValue = sink();
        expect(m.parse('x', withValue.ctx), m.keyword).toBeUndefined();
        expect(withValue.diags[0]?.message, m.keyword).toBe(`${m.keyword} takes no value: write ${m.keyword};`);
      }
    }
  });
});

describe('Suricata 7 names', () => {
  it('are aliases of the modules kanshi has, the old names kept', () => {
    const pairs = [['tcp.ack', 'ack'], ['tcp.seq', 'seq'], ['tcp.window', 'window'], ['dcerpc.iface', 'dce_iface'], ['dcerpc.opnum', 'dce_opnum'], ['dcerpc.stub_data', 'dce_stub_data'], ['krb5_cname', 'krb5.cname'], ['krb5_sname', 'krb5.sname']];
    for (const [alias, keyword] of pairs) expect(lookupKeyword(alias!)?.keyword, alias).toBe(keyword);
  });
});
