import type { KeywordModule } from '../keyword.js';
import { requireValue } from '../lib/text.js';
import { FACT_APP_PROTO, type HeaderFacts, type HeaderMatcher } from '../matcher.js';

export interface AppLayerProtocolValue {
  negated: boolean;
  /** Suricata's protocol name: http, tls, dns, smtp, ..., or failed / unknown. */
  proto: string;
}

/** `app-layer-protocol:[!]http;` the application protocol detected on the flow. */
export const appLayerProtocol: KeywordModule<AppLayerProtocolValue> = {
  keyword: 'app-layer-protocol',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const v = requireValue('app-layer-protocol', raw, ctx, 'app-layer-protocol:http;');
    if (v === undefined) return undefined;
    const negated = v.text.startsWith('!');
    const proto = (negated ? v.text.slice(1) : v.text).trim();
    if (!/^[a-z0-9][a-z0-9_\-]*$/i.test(proto)) {
      ctx.error(`app-layer-protocol needs a protocol name such as http, tls or dns, not "${proto}"`, v.offset, v.text.length);
      return undefined;
    }
    return { negated, proto: proto.toLowerCase() };
  },
  print: (v) => (v.negated ? '!' : '') + v.proto,
  condition(v): HeaderMatcher {
    const want = v.proto;
    // "failed" and "unknown": no application protocol was recognised on the flow.
    const test =
      want === 'failed' || want === 'unknown' ? (h: HeaderFacts) => h.appProto === null : (h: HeaderFacts) => h.appProto === want;
    return { needs: FACT_APP_PROTO, test: v.negated ? (h: HeaderFacts) => !test(h) : test };
  },
};
