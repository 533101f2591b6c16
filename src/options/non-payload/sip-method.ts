import { unevaluated } from '../lib/factories.js';

/** `sip_method:invite;` the SIP request method (Snort); recognised, not evaluated yet. */
export const sipMethod = unevaluated('sip_method', 'non-payload', 'required', 'sip_method:invite;');
