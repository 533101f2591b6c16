import { unevaluated } from '../lib/factories.js';

/** `ssl_version:tls1.2;` the SSL/TLS version; recognised, not evaluated yet. */
export const sslVersion = unevaluated('ssl_version', 'non-payload', 'required', 'ssl_version:tls1.2;');
