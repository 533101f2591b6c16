import { stickyBuffer } from '../lib/factories.js';

/**
 * `krb5.sname;` (Suricata 7; `krb5_sname;` before): the payload keywords after it inspect a
 * Kerberos server principal name; recognised, not evaluated yet.
 */
export const krb5SnameBuffer = stickyBuffer('krb5.sname', 'krb5.sname', { aliases: ['krb5_sname'], evaluable: false });
