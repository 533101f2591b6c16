import { stickyBuffer } from '../lib/factories.js';

/**
 * `file.name;`: the payload keywords after it inspect the name of a transferred file. Over HTTP,
 * as Suricata names files: a response body by its Content-Disposition filename, else by the URI
 * path; a PUT body by the URI path.
 */
export const fileNameBuffer = stickyBuffer('file.name', 'file.name');
