import { stickyBuffer } from '../lib/factories.js';

/** `mqtt.connect.willtopic;`: the payload keywords after it inspect the MQTT will topic (Suricata); recognised, not evaluated yet. */
export const mqttConnectWilltopicBuffer = stickyBuffer('mqtt.connect.willtopic', 'mqtt.connect.willtopic', { evaluable: false });
