import { stickyBuffer } from '../lib/factories.js';

/** `dce_stub_data;`: the payload keywords after it inspect the DCE/RPC stub data. */
export const dceStubDataBuffer = stickyBuffer('dce_stub_data', 'dce_stub_data', { evaluable: false });
