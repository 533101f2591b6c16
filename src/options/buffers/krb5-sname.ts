import { stickyBuffer } from '../lib/factories.js';

/** `krb5_sname;`: the payload keywords after it inspect a Kerberos server principal name (Suricata); recognised, not evaluated yet. */
export const krb5SnameBuffer = stickyBuffer('krb5_sname', 'krb5_sname', { evaluable: false });
