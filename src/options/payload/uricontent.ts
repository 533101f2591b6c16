import { bufferContentKeyword } from './content.js';

/** Snort 2's `uricontent:"..."`: a content that inspects http.uri (same as `content:"..."; http_uri;`). */
export const uricontent = bufferContentKeyword('uricontent', 'http.uri');
