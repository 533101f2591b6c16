import { bufferModifier } from '../lib/factories.js';

/** `content:"..."; http_user_agent;` the preceding content inspects the User-Agent header value (http.user_agent). */
export const httpUserAgentModifier = bufferModifier('http_user_agent', 'http.user_agent');
