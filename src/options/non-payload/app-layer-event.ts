import { APP_LAYER_EVENTS } from '../../types/app-events.js';
import type { KeywordModule } from '../keyword.js';
import { requireValue } from '../lib/text.js';
import { FACT_APP_EVENTS, type HeaderFacts } from '../matcher.js';

export interface AppLayerEventValue {
  /** Suricata's name, `protocol.event`. */
  name: string;
}

const NAME_RE = /^[a-z0-9_]+\.[a-z0-9_.]+$/;

/**
 * `app-layer-event:http.missing_host_header;` the transaction raised this application-layer
 * event (Suricata's names). Inspected on the transaction; the events kanshi raises are listed in
 * src/types/app-events.ts, and a rule on any other is skipped with the reason.
 */
export const appLayerEvent: KeywordModule<AppLayerEventValue> = {
  keyword: 'app-layer-event',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const v = requireValue('app-layer-event', raw, ctx, 'app-layer-event:http.missing_host_header;');
    if (v === undefined) return undefined;
    if (!NAME_RE.test(v.text)) {
      ctx.error(`app-layer-event needs protocol.event, such as http.missing_host_header, not "${v.text}"`, v.offset, Math.max(1, v.text.length));
      return undefined;
    }
    return { name: v.text };
  },
  print: (v) => v.name,
  condition: (v) => {
    const anomaly = APP_LAYER_EVENTS.get(v.name) ?? '';
    return { needs: FACT_APP_EVENTS, test: (h: HeaderFacts) => h.appAnomalies.includes(anomaly) };
  },
  unevaluatedValue: (v) => (APP_LAYER_EVENTS.has(v.name) ? undefined : `kanshi does not raise the app-layer event ${v.name}`),
};
