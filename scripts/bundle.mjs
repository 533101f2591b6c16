#!/usr/bin/env node
// Bundles the compiled CLI (dist/src, from `tsc -p tsconfig.build.json`) into one CommonJS file,
// dist/bin/kanshi.cjs, which bin/kanshi.js loads; then writes its V8 code cache (see
// bin/load-cli.js) from a training run. Node's module loader costs about a millisecond per
// module and the CLI is a few hundred of them: one file starts in about a third of the time, and
// from the code cache nothing of it is parsed or compiled again. Subcommands' modules are still
// only run when their command is. fast-check stays a package of its own (`kanshi test` loads it).
// dist/src is kept as is for benchmarks and tooling.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bin');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'dist', 'src', 'cli', 'main.js')],
  outfile: join(outdir, 'kanshi.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['fast-check'],
  // Modules find the bundled rules/ and policy from their own location.
  banner: { js: 'const __kanshiModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__kanshiModuleUrl' },
  // Stack traces of internal errors map back to the sources with `node --enable-source-maps`.
  sourcemap: 'linked',
  logLevel: 'warning',
});

// A run without the cache is only slower: a failed training run is reported, not fatal.
const trained = spawnSync(process.execPath, [join(root, 'scripts', 'train-code-cache.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
if (trained.status !== 0) process.stderr.write(`bundle: the code cache was not written (training run exited with ${trained.status ?? trained.signal})\n`);
