import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, and the shared public corpora that sit beside it (read-only). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CORPORA = resolve(REPO_ROOT, '..', 'shared', 'corpora');
export const corpus = (...parts: string[]): string => resolve(CORPORA, ...parts);
