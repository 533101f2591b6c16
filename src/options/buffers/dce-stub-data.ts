import { stickyBuffer } from '../lib/factories.js';

/**
 * `dce_stub_data;`: the payload keywords after it inspect the stub data of a DCE/RPC request
 * (its fragments joined), where byte_test, byte_jump, byte_extract and byte_math with `dce`
 * read numbers in the request's own byte order.
 */
export const dceStubDataBuffer = stickyBuffer('dce_stub_data', 'dce_stub_data', { aliases: ['dcerpc.stub_data'] });
