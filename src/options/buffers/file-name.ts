import { stickyBuffer } from '../lib/factories.js';

/** `file.name;`: the payload keywords after it inspect the name of a transferred file. */
export const fileNameBuffer = stickyBuffer('file.name', 'file.name', { evaluable: false });
