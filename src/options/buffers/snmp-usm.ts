import { stickyBuffer } from '../lib/factories.js';

/** `snmp.usm;`: the payload keywords after it inspect the SNMP USM user name (Suricata); recognised, not evaluated yet. */
export const snmpUsmBuffer = stickyBuffer('snmp.usm', 'snmp.usm', { evaluable: false });
