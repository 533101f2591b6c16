import { stickyBuffer } from '../lib/factories.js';

/** `krb5_cname;`: the payload keywords after it inspect a Kerberos client principal name (Suricata); recognised, not evaluated yet. */
export const krb5CnameBuffer = stickyBuffer('krb5_cname', 'krb5_cname', { evaluable: false });
