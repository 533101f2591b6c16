import { stickyBuffer } from '../lib/factories.js';

/** `file.magic;`: the payload keywords after it inspect the libmagic description of a transferred file (Suricata); recognised, not evaluated yet. */
export const fileMagicBuffer = stickyBuffer('file.magic', 'file.magic', { evaluable: false });
