#!/usr/bin/env node
// Bundles the compiled CLI (dist/src, from `tsc -p tsconfig.build.json`) into a few files under
// dist/bin for bin/kanshi.js. Node's module loader costs about a millisecond per module, and the
// CLI is a few hundred of them: bundled, `kanshi check` starts in about a third of the time.
// Each subcommand stays in a chunk of its own (main.ts imports them lazily); packages from
// node_modules stay external. dist/src is kept as is for benchmarks and tooling.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bin');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'dist', 'src', 'cli', 'main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Stack traces of internal errors map back to the sources with `node --enable-source-maps`.
  sourcemap: 'linked',
  logLevel: 'warning',
});
