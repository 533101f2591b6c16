import { stickyBuffer } from '../lib/factories.js';

/** `mqtt.subscribe.topic;`: the payload keywords after it inspect an MQTT subscribe topic (Suricata); recognised, not evaluated yet. */
export const mqttSubscribeTopicBuffer = stickyBuffer('mqtt.subscribe.topic', 'mqtt.subscribe.topic', { evaluable: false });
