import { stickyBuffer } from '../lib/factories.js';

/** `mqtt.unsubscribe.topic;`: the payload keywords after it inspect an MQTT unsubscribe topic (Suricata); recognised, not evaluated yet. */
export const mqttUnsubscribeTopicBuffer = stickyBuffer('mqtt.unsubscribe.topic', 'mqtt.unsubscribe.topic', { evaluable: false });
