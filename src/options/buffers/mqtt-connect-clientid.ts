import { stickyBuffer } from '../lib/factories.js';

/** `mqtt.connect.clientid;`: the payload keywords after it inspect the MQTT client id (Suricata); recognised, not evaluated yet. */
export const mqttConnectClientidBuffer = stickyBuffer('mqtt.connect.clientid', 'mqtt.connect.clientid', { evaluable: false });
