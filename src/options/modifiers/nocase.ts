import { bareKeyword } from '../lib/factories.js';

/** `nocase;` the preceding content matches regardless of ASCII case. */
export const nocase = bareKeyword('nocase', 'modifier');
