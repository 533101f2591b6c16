import { stickyBuffer } from '../lib/factories.js';

/** `tls.random_time;`: the payload keywords after it inspect the time part of the TLS random (Suricata): the sending side's hello. */
export const tlsRandomTimeBuffer = stickyBuffer('tls.random_time', 'tls.random_time');
