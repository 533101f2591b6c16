import { stickyBuffer } from '../lib/factories.js';

/** `sip.user_agent;`: the payload keywords after it inspect the SIP User-Agent header (Suricata). */
export const sipUserAgentBuffer = stickyBuffer('sip.user_agent', 'sip.user_agent');
