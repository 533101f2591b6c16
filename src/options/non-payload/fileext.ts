import { unevaluated } from '../lib/factories.js';

/** `fileext:"exe";` the extension of a transferred file (Suricata); recognised, not evaluated yet. */
export const fileext = unevaluated('fileext', 'non-payload', 'required', 'fileext:"exe";');
