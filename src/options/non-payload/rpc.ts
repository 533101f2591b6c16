import { unevaluated } from '../lib/factories.js';

/** `rpc:100000,*,*;` the SUN RPC application, version and procedure; recognised, not evaluated yet. */
export const rpc = unevaluated('rpc', 'non-payload', 'required', 'rpc:100000,*,*;');
