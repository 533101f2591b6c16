import { stickyBuffer } from '../lib/factories.js';

/** `mqtt.publish.message;`: the payload keywords after it inspect the MQTT publish message (Suricata); recognised, not evaluated yet. */
export const mqttPublishMessageBuffer = stickyBuffer('mqtt.publish.message', 'mqtt.publish.message', { evaluable: false });
