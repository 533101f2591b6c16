/**
 * `http.uri` rules written against Suricata that spell a %-escape (ET's
 * `content:"/exec.jsp?command=cmd+%2Fc+ping"; http_uri;`): Suricata's http.uri keeps the query as
 * sent (libhtp decodes the path only), kanshi's decodes it as Snort's http_inspect does, so such a
 * content could only ever match double-encoded input. A rule spelling an escape in any of its
 * http.uri contents or pcres is read, for all of its http.uri keywords, on the URI with the
 * normalised path and the query as sent; every other rule keeps the server's view.
 */
import { uriWithQueryAsSent } from '../app/http/normalize-uri.js';
import type { RuleDetection } from '../options/rule-body.js';

/** The derived buffer such rules read (its base is the raw URI the step rebuilds it from). */
export const URI_QUERY_AS_SENT = 'http.uri.raw|query_as_sent';
export const URI_QUERY_AS_SENT_BASE = 'http.uri.raw';

/** Builds the buffer from its base: normalised path, query as sent, fragment decoded once. */
export const uriQueryAsSent: (raw: Uint8Array) => Uint8Array = uriWithQueryAsSent;

/** The buffer a rule's keyword on `buffer` reads: http.uri becomes the query-as-sent one when `asSent`. */
export function uriBufferOf(buffer: string, asSent: boolean): string {
  return asSent && buffer === 'http.uri' ? URI_QUERY_AS_SENT : buffer;
}

const PCRE_ESCAPE = /%[0-9a-f]{2}/i;

/**
 * Whether the rule's http.uri contents or pcres spell a %-escape ('%' and two hex digits, in
 * the pattern as written): the rule then means the query as sent.
 */
export function readsUriQueryAsSent(det: RuleDetection): boolean {
  const payload = det.payload;
  for (let i = 0; i < payload.length; i++) {
    const el = payload[i]!;
    if (el.buffer !== 'http.uri') continue;
    if (el.kind === 'content' ? spellsEscape(el.bytes) : el.kind === 'pcre' && PCRE_ESCAPE.test(el.value.pattern)) return true;
  }
  return false;
}

function spellsEscape(b: Uint8Array): boolean {
  for (let i = b.indexOf(0x25); i >= 0 && i + 2 < b.length; i = b.indexOf(0x25, i + 1)) {
    if (isHex(b[i + 1]!) && isHex(b[i + 2]!)) return true;
  }
  return false;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}
