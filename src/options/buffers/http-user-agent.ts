import { stickyBuffer } from '../lib/factories.js';

/** `http.user_agent;`: the payload keywords after it inspect the User-Agent header value. */
export const httpUserAgentBuffer = stickyBuffer('http.user_agent', 'http.user_agent');
