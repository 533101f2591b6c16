import type { KeywordModule } from '../keyword.js';
import { FACT_SSL, type HeaderFacts } from '../matcher.js';
import { flagMasks, parseFlagList, printFlagList, type FlagItem } from '../lib/flag-list.js';
import { SSL_CLIENT_HELLO, SSL_CLIENT_KEYX, SSL_SERVER_HELLO, SSL_SERVER_KEYX, SSL_UNKNOWN } from '../../types/flow.js';

export interface SslStateValue {
  items: FlagItem[];
}

const STATES: Readonly<Record<string, number>> = {
  client_hello: SSL_CLIENT_HELLO,
  server_hello: SSL_SERVER_HELLO,
  client_keyx: SSL_CLIENT_KEYX,
  server_keyx: SSL_SERVER_KEYX,
  unknown: SSL_UNKNOWN,
};

/**
 * `ssl_state:client_hello,!server_keyx;` the SSL/TLS handshake messages the inspected data
 * carries, as Snort's SSL rule option reads them: a ClientHello or ClientKeyExchange from the
 * client, a ServerHello or ServerKeyExchange from the server (SSLv2's hellos and client master
 * key count as well), `unknown` for data of an SSL/TLS flow that is not SSL/TLS records. Matches
 * when the data carries a plain item or lacks a negated one; never on a flow without SSL/TLS.
 * Items are separated by ',' or '|'.
 */
export const sslState: KeywordModule<SslStateValue> = {
  keyword: 'ssl_state',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const items = parseFlagList('ssl_state', raw, ctx, STATES, ',|', 'client_hello,server_hello');
    return items === undefined ? undefined : { items };
  },
  print: (v) => printFlagList(v.items),
  condition(v) {
    const { flags, mask } = flagMasks(v.items, STATES);
    return { needs: FACT_SSL, test: (h: HeaderFacts) => ((h.sslState & flags) ^ mask) !== 0 };
  },
};
