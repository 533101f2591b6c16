import { unevaluated } from '../lib/factories.js';

/** `app-layer-event:http.request_field_too_long;` an application-layer parser event (Suricata); recognised, not evaluated yet. */
export const appLayerEvent = unevaluated('app-layer-event', 'non-payload', 'required', 'app-layer-event:http.request_field_too_long;');
