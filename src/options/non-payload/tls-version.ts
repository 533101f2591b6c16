import type { KeywordModule } from '../keyword.js';
import { requireValue } from '../lib/text.js';
import { FACT_TLS_VERSION, type HeaderFacts } from '../matcher.js';

export interface TlsVersionValue {
  /** The wire version (0x0300 SSL 3.0 ... 0x0304 TLS 1.3). */
  version: number;
  /** As written, for the printer. */
  text: string;
}

const NAMED: Readonly<Record<string, number>> = { '1.0': 0x0301, '1.1': 0x0302, '1.2': 0x0303, '1.3': 0x0304, '3.0': 0x0300 };

/**
 * `tls.version:1.2;` the TLS version of the side sending the data, as Suricata reads it: the
 * ClientHello's version towards the server, the version the ServerHello negotiated (TLS 1.3 from
 * supported_versions) towards the client. 1.0 to 1.3, 3.0 (SSL 3.0) or a wire value 0x0303.
 */
export const tlsVersion: KeywordModule<TlsVersionValue> = {
  keyword: 'tls.version',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const v = requireValue('tls.version', raw, ctx, 'tls.version:1.2;');
    if (v === undefined) return undefined;
    const text = v.text;
    const named = NAMED[text];
    if (named !== undefined) return { version: named, text };
    if (/^0x[0-9a-fA-F]{1,4}$/.test(text)) return { version: parseInt(text.slice(2), 16), text };
    ctx.error(`tls.version must be 1.0, 1.1, 1.2, 1.3, 3.0 or a wire value such as 0x0303, not "${text}"`, v.offset, Math.max(1, text.length));
    return undefined;
  },
  print: (v) => v.text,
  condition: (v) => ({
    needs: FACT_TLS_VERSION,
    test: (h: HeaderFacts) => h.tlsVersion === v.version,
  }),
};
