#!/usr/bin/env node
// Compiles every grammar/*.ne into grammar/*.generated.ts with nearley's own compiler.
// The generated files are committed; `--check` fails when one is stale, so CI catches
// a grammar edited without regenerating its parser.
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const nearley = require('nearley');
const compile = require('nearley/lib/compile');
const generate = require('nearley/lib/generate');
const grammarOfNearley = require('nearley/lib/nearley-language-bootstrapped');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'grammar');
const check = process.argv.includes('--check');

function build(file) {
  const parser = new nearley.Parser(nearley.Grammar.fromCompiled(grammarOfNearley));
  parser.feed(readFileSync(file, 'utf8'));
  if (parser.results.length === 0) throw new Error(`${file}: incomplete grammar`);
  const compiled = compile(parser.results[0], { args: [file] });
  const header = '// Generated from ' + basename(file) + ' by scripts/build-grammar.mjs. Do not edit.\n// @ts-nocheck\n';
  return header + generate(compiled, 'grammar');
}

let stale = 0;
for (const name of readdirSync(dir).filter((f) => f.endsWith('.ne')).sort()) {
  const src = join(dir, name);
  const out = join(dir, name.replace(/\.ne$/, '.generated.ts'));
  const text = build(src);
  if (check) {
    if (!existsSync(out) || readFileSync(out, 'utf8') !== text) {
      console.error(`stale: ${out} does not match ${src}; run npm run grammar`);
      stale++;
    }
  } else {
    writeFileSync(out, text);
    console.log(`grammar: ${name} -> ${basename(out)}`);
  }
}
process.exit(stale ? 1 : 0);
