import { unevaluated } from '../lib/factories.js';

/** `dce_opnum:15;` the DCE/RPC operation number; recognised, not evaluated yet. */
export const dceOpnum = unevaluated('dce_opnum', 'non-payload', 'required', 'dce_opnum:15;');
