import { stickyBuffer } from '../lib/factories.js';

/** `sip.stat_msg;`: the payload keywords after it inspect the SIP status message (Suricata). */
export const sipStatMsgBuffer = stickyBuffer('sip.stat_msg', 'sip.stat_msg');
