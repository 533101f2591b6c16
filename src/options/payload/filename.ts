import { bufferContentKeyword } from './content.js';

/**
 * Suricata's `filename:"setup";`: the file name holds the text, any case (`!` negates). As in
 * Suricata, a content on file.name: `file.name; content:"setup"; nocase;`.
 */
export const filename = bufferContentKeyword('filename', 'file.name', (v) => ({ bytes: v.bytes, nocase: true, endsWith: false }));
