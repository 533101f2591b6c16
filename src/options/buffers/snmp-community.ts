import { stickyBuffer } from '../lib/factories.js';

/** `snmp.community;`: the payload keywords after it inspect the SNMP community string (Suricata); recognised, not evaluated yet. */
export const snmpCommunityBuffer = stickyBuffer('snmp.community', 'snmp.community', { evaluable: false });
