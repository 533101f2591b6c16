import { stickyBuffer } from '../lib/factories.js';

/** `mqtt.connect.username;`: the payload keywords after it inspect the MQTT user name (Suricata); recognised, not evaluated yet. */
export const mqttConnectUsernameBuffer = stickyBuffer('mqtt.connect.username', 'mqtt.connect.username', { evaluable: false });
