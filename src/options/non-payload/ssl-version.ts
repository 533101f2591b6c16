import type { KeywordModule } from '../keyword.js';
import { FACT_SSL, type HeaderFacts } from '../matcher.js';
import { flagMasks, parseFlagList, printFlagList, type FlagItem } from '../lib/flag-list.js';
import { SSLV_2, SSLV_3, TLSV_10, TLSV_11, TLSV_12, TLSV_13 } from '../../types/flow.js';

export interface SslVersionValue {
  items: FlagItem[];
}

const VERSIONS: Readonly<Record<string, number>> = {
  sslv2: SSLV_2,
  sslv3: SSLV_3,
  'tls1.0': TLSV_10,
  'tls1.1': TLSV_11,
  'tls1.2': TLSV_12,
  'tls1.3': TLSV_13,
};

/**
 * `ssl_version:sslv3,tls1.0;` the SSL/TLS versions seen on the flow so far, either direction
 * (record headers and hellos; an SSLv2-compatible hello counts as the version it offers), as
 * Snort's SSL rule option reads them: matches when a plain item was seen or a negated one was
 * not (`!sslv2`: no SSL 2.0 on this flow). Never on a flow without SSL/TLS.
 */
export const sslVersion: KeywordModule<SslVersionValue> = {
  keyword: 'ssl_version',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const items = parseFlagList('ssl_version', raw, ctx, VERSIONS, ',', 'sslv3,tls1.0');
    return items === undefined ? undefined : { items };
  },
  print: (v) => printFlagList(v.items),
  condition(v) {
    const { flags, mask } = flagMasks(v.items, VERSIONS);
    return { needs: FACT_SSL, test: (h: HeaderFacts) => ((h.sslVersions & flags) ^ mask) !== 0 };
  },
};
