#!/usr/bin/env node
// Runs the bundled CLI in-process over the bundled rules and samples (check, scan to EVE and
// alert_fast, correlate, rule tests), then writes the code cache: the bytecode of every function
// those runs compiled. Run by scripts/bundle.mjs in a process of its own (a cache is only
// accepted under the V8 flags it was made with, see bin/load-cli.js).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_CACHE, loadCli } from '../bin/load-cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => join(root, p);
const cli = loadCli({ useCache: false });
const tmp = mkdtempSync(join(tmpdir(), 'kanshi-train-'));
const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
const vars = ['--var', 'HOME_NET=192.168.0.0/16', '--year', '2003'];
const eve = join(tmp, 'alerts.json');
try {
  const runs = [
    ['check', at('rules')],
    ['scan', ...vars, '--format', 'eve', '-o', eve, at('samples/logs'), at('samples/pcap')],
    ['scan', ...vars, '--format', 'fast', '-o', join(tmp, 'fast.log'), at('samples/pcap')],
    ['correlate', '--var', 'HOME_NET=192.168.0.0/16', eve],
    ['test', '--properties', '--runs', '2', '--seed', '1', '--out', tmp],
  ];
  for (const argv of runs) {
    const code = await cli.main(argv, quiet);
    if (code === 2) throw new Error(`kanshi ${argv.join(' ')}: usage error`);
  }
  writeFileSync(CODE_CACHE, cli.createCachedData());
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
