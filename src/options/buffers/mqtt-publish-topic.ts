import { stickyBuffer } from '../lib/factories.js';

/** `mqtt.publish.topic;`: the payload keywords after it inspect the MQTT publish topic (Suricata); recognised, not evaluated yet. */
export const mqttPublishTopicBuffer = stickyBuffer('mqtt.publish.topic', 'mqtt.publish.topic', { evaluable: false });
