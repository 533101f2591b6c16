import { unevaluated } from '../lib/factories.js';

/** `from_base64:mode rfc4648;` transform: decodes base64. */
export const fromBase64 = unevaluated('from_base64', 'transform', 'optional', 'from_base64:mode rfc4648;');
