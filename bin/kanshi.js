#!/usr/bin/env node
import { loadCli } from './load-cli.js';

// A reader that stops early (`kanshi scan ... | head`) closes the pipe: stop at once and quietly,
// as a Unix filter does, instead of dying on the write error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const cli = loadCli();
if (process.env.KANSHI_CODE_CACHE_REPORT) process.stderr.write(`kanshi: code cache ${cli.cache}\n`);
cli.main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`kanshi: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  },
);
