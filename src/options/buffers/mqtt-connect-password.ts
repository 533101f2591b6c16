import { stickyBuffer } from '../lib/factories.js';

/** `mqtt.connect.password;`: the payload keywords after it inspect the MQTT password (Suricata); recognised, not evaluated yet. */
export const mqttConnectPasswordBuffer = stickyBuffer('mqtt.connect.password', 'mqtt.connect.password', { evaluable: false });
