import { bareKeyword } from '../lib/factories.js';

/** `endswith;` the preceding content must end the buffer. */
export const endswith = bareKeyword('endswith', 'modifier');
