#!/usr/bin/env node
import { loadCli } from './load-cli.js';

const cli = loadCli();
if (process.env.KANSHI_CODE_CACHE_REPORT) process.stderr.write(`kanshi: code cache ${cli.cache}\n`);
cli.main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`kanshi: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  },
);
