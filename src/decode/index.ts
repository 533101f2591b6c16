/** Public surface of the capture-reading and packet-decoding stage. */
export type { RawFrame } from './raw-frame.js';
export * from './raw-frame.js';
export {
  CaptureParser,
  DEFAULT_MAX_BLOCK_LENGTH,
  DEFAULT_MAX_CAPLEN,
  isCaptureMagic,
  type CaptureError,
  type CaptureFormat,
  type CaptureParserOptions,
} from './capture-parser.js';
export {
  readCapture,
  readCaptureFile,
  readCaptureStream,
  type CaptureReadOptions,
  type CaptureReadResult,
} from './capture-reader.js';
export { decodeFrame } from './decode-frame.js';
export { decodeIpDatagram, internetChecksum, rebuildDatagram, type DatagramBase } from './ip.js';
export { DecodeStats } from './stats.js';
export type { DecodeEvent } from './events.js';
