// Loads the bundled CLI (dist/bin/kanshi.cjs, made by `npm run build`) with the V8 code cache
// that the build writes beside it: the bytecode of every function a training run compiled, so a
// run starts without parsing and compiling the CLI's 2 MB of JavaScript again (about 130 ms of
// a 4,000-rule scan's start-up, 50 ms of a `kanshi check` of a small file). V8 checks the cache
// against the source, its own version and its flags, and simply compiles when it does not fit.
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { Script } from 'node:vm';

export const BUNDLE = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin', 'kanshi.cjs');
export const CODE_CACHE = `${BUNDLE}.cache`;

/**
 * The V8 flags the CLI sets at start-up (src/options/lib/regex-runner.ts: the linear-time
 * regexp engine for patterns that backtrack too much, and BACKTRACKS_BEFORE_LINEAR, how much is
 * too much). A code cache is accepted only under the flags it was made with, and it is made
 * after that module ran, so they are set before loading.
 */
export const CLI_V8_FLAGS = [
  '--enable-experimental-regexp-engine',
  '--enable-experimental-regexp-engine-on-excessive-backtracks',
  '--regexp-backtracks-before-fallback=300',
];

/** Compiles and runs the bundle (from the code cache when there is a fitting one); returns its exports. */
export function loadCli({ useCache = true } = {}) {
  for (const flag of CLI_V8_FLAGS) v8.setFlagsFromString(flag);
  const source = readFileSync(BUNDLE, 'utf8');
  let cachedData;
  if (useCache) {
    try {
      cachedData = readFileSync(CODE_CACHE);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return {
    main: module.exports.main,
    /** 'accepted', 'rejected' (made by another node or from another build) or 'none'. */
    cache: cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted',
    /** The code cache as it stands now: what the bundle compiled so far. */
    createCachedData: () => script.createCachedData(),
  };
}
