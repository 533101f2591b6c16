import { unevaluated } from '../lib/factories.js';

/** `sip_stat_code:200;` the SIP response status code (Snort); recognised, not evaluated yet. */
export const sipStatCode = unevaluated('sip_stat_code', 'non-payload', 'required', 'sip_stat_code:200;');
