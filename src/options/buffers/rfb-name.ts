import { stickyBuffer } from '../lib/factories.js';

/** `rfb.name;`: the payload keywords after it inspect the RFB (VNC) desktop name (Suricata); recognised, not evaluated yet. */
export const rfbNameBuffer = stickyBuffer('rfb.name', 'rfb.name', { evaluable: false });
