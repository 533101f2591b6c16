/**
 * Runs once before the tests: many of them read the public corpora in ../shared/corpora, beside
 * the repository. Without them those tests would each fail on a missing file; say once instead
 * what is missing and where it is expected.
 */
import { existsSync } from 'node:fs';
import { CORPORA } from './corpora.js';

export default function requireCorpora(): void {
  if (!existsSync(CORPORA)) {
    throw new Error(`the tests read the public corpora in ${CORPORA}, which does not exist: clone kanshi next to the shared/ folder (../shared/corpora from the repository root)`);
  }
}
