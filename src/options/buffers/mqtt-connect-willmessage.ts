import { stickyBuffer } from '../lib/factories.js';

/** `mqtt.connect.willmessage;`: the payload keywords after it inspect the MQTT will message (Suricata); recognised, not evaluated yet. */
export const mqttConnectWillmessageBuffer = stickyBuffer('mqtt.connect.willmessage', 'mqtt.connect.willmessage', { evaluable: false });
