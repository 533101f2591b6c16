import { stickyBuffer } from '../lib/factories.js';

/** `pkt_data;`: the payload keywords after it inspect the packet payload (the reassembled stream for TCP) again, leaving any sticky buffer. */
export const pktDataBuffer = stickyBuffer('pkt_data', 'pkt_data');
