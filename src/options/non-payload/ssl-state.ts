import { unevaluated } from '../lib/factories.js';

/** `ssl_state:client_hello;` the SSL/TLS handshake state; recognised, not evaluated yet. */
export const sslState = unevaluated('ssl_state', 'non-payload', 'required', 'ssl_state:client_hello;');
