import { unevaluated } from '../lib/factories.js';

/** `asn1:oversize_length 2048;` ASN.1 decoding checks; recognised, not evaluated yet. */
export const asn1 = unevaluated('asn1', 'payload', 'required', 'asn1:oversize_length 2048;');
