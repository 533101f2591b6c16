import { unevaluated } from '../lib/factories.js';

/** `filemagic:"PE32";` the libmagic type of a transferred file (Suricata); recognised, not evaluated yet. */
export const filemagic = unevaluated('filemagic', 'non-payload', 'required', 'filemagic:"PE32";');
