#!/usr/bin/env node
import { loadCli } from './load-cli.js';

// A reader that stops early (`kanshi scan ... | head`) closes the pipe: stop at once and quietly,
// as a Unix filter does, instead of dying on the write error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(0);
    // Any other write failure (a full disk behind a redirect): say so once and stop, status 1.
    if (stream === process.stdout) {
      try {
        process.stderr.write(`kanshi: cannot write standard output: ${err && err.code ? err.code : err}\n`);
      } catch {
        // stderr is gone too
      }
    }
    process.exit(1);
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
