import { bufferContentKeyword } from './content.js';

/**
 * Suricata's `fileext:"exe";`: the file name ends with `.exe`, any case (`!` negates). As in
 * Suricata, a content on file.name: `file.name; content:".exe"; nocase; endswith;`.
 */
export const fileext = bufferContentKeyword('fileext', 'file.name', (v) => ({ bytes: Uint8Array.of(0x2e, ...v.bytes), nocase: true, endsWith: true }));
