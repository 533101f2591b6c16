import { unevaluated } from '../lib/factories.js';

/** `dce_iface:4b324fc8-1670-01d3-1278-5a47bf6ee188;` the bound DCE/RPC interface; recognised, not evaluated yet. */
export const dceIface = unevaluated('dce_iface', 'non-payload', 'required', 'dce_iface:4b324fc8-1670-01d3-1278-5a47bf6ee188;');
