import { unevaluated } from '../lib/factories.js';

/** `pcrexform:"[a-z]+(.*)";` transform: replaces the buffer by the first capture of a regex. */
export const pcrexform = unevaluated('pcrexform', 'transform', 'required', 'pcrexform:"[a-z]+(.*)";');
