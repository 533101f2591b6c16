import { unevaluated } from '../lib/factories.js';

/** `stream-event:3whs_synack_with_wrong_ack;` a TCP stream engine event (Suricata); recognised, not evaluated yet. */
export const streamEvent = unevaluated('stream-event', 'non-payload', 'required', 'stream-event:3whs_synack_with_wrong_ack;');
