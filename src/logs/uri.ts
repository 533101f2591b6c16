// The one import from app/: URIs read from web logs must normalise exactly as URIs read from
// packets, or an http.uri rule would fire on one and not the other. normalizeUri is pure.
import { normalizeUri } from '../app/http/normalize-uri.js';

/** The `http.uri` buffer of a raw request target, plus the URI evasions seen while normalising it. */
export function normalizedUri(raw: Uint8Array): { bytes: Uint8Array; evasions: readonly string[] } {
  return normalizeUri(raw);
}
