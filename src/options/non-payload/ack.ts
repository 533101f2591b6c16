import { rangeKeyword } from '../lib/range-keyword.js';
import { FACT_TCP_ACK } from '../matcher.js';

/** `ack:0;` the TCP acknowledgement number. */
export const ack = rangeKeyword('ack', 0, 4294967295, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '0', { aliases: ['tcp.ack'], field: { needs: FACT_TCP_ACK, read: (h) => h.ack } });
