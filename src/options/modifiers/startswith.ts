import { bareKeyword } from '../lib/factories.js';

/** `startswith;` the preceding content must be at the start of the buffer. */
export const startswith = bareKeyword('startswith', 'modifier');
