import { stickyBuffer } from '../lib/factories.js';

/**
 * `krb5.cname;` (Suricata 7; `krb5_cname;` before): the payload keywords after it inspect a
 * Kerberos client principal name; recognised, not evaluated yet.
 */
export const krb5CnameBuffer = stickyBuffer('krb5.cname', 'krb5.cname', { aliases: ['krb5_cname'], evaluable: false });
