import { FACT_SSL } from '../matcher.js';
import { flagListKeyword } from '../lib/flag-list.js';
import { SSLV_2, SSLV_3, TLSV_10, TLSV_11, TLSV_12, TLSV_13 } from '../../types/flow.js';

/**
 * `ssl_version:sslv3,tls1.0;` the SSL/TLS versions seen on the flow so far, either direction
 * (record headers and hellos; an SSLv2-compatible hello counts as the version it offers), as
 * Snort's SSL rule option reads them: matches when a plain item was seen or a negated one was
 * not (`!sslv2`: no SSL 2.0 on this flow). Never on a flow without SSL/TLS.
 */
export const sslVersion = flagListKeyword(
  'ssl_version',
  { sslv2: SSLV_2, sslv3: SSLV_3, 'tls1.0': TLSV_10, 'tls1.1': TLSV_11, 'tls1.2': TLSV_12, 'tls1.3': TLSV_13 },
  ',',
  'sslv3,tls1.0',
  FACT_SSL,
  (h) => h.sslVersions,
);
