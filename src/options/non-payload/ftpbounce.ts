import { unevaluated } from '../lib/factories.js';

/** `ftpbounce;` an FTP PORT bounce attempt; recognised, not evaluated yet. */
export const ftpbounce = unevaluated('ftpbounce', 'non-payload', 'none', 'ftpbounce;');
