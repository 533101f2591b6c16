import { FACT_SSL } from '../matcher.js';
import { flagListKeyword } from '../lib/flag-list.js';
import { SSL_CLIENT_HELLO, SSL_CLIENT_KEYX, SSL_SERVER_HELLO, SSL_SERVER_KEYX, SSL_UNKNOWN } from '../../types/flow.js';

/**
 * `ssl_state:client_hello,!server_keyx;` the SSL/TLS handshake messages the inspected data
 * carries, as Snort's SSL rule option reads them: a ClientHello or ClientKeyExchange from the
 * client, a ServerHello or ServerKeyExchange from the server (SSLv2's hellos and client master
 * key count as well), `unknown` for data of an SSL/TLS flow that is not SSL/TLS records. Matches
 * when the data carries a plain item or lacks a negated one; never on a flow without SSL/TLS.
 * Items are separated by ',' or '|'.
 */
export const sslState = flagListKeyword(
  'ssl_state',
  { client_hello: SSL_CLIENT_HELLO, server_hello: SSL_SERVER_HELLO, client_keyx: SSL_CLIENT_KEYX, server_keyx: SSL_SERVER_KEYX, unknown: SSL_UNKNOWN },
  ',|',
  'client_hello,server_hello',
  FACT_SSL,
  (h) => h.sslState,
);
