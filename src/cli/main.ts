import { BlockingStdout } from './blocking-stdout.js';
import { EXIT_OK, EXIT_USAGE, type Command, type CommandIo } from './command.js';

/** A subcommand as `kanshi --help` lists it, and where its implementation lives. */
interface CommandEntry {
  name: string;
  /** One line for `kanshi --help`. */
  summary: string;
  load(): Promise<Command>;
}

/**
 * The subcommands of `kanshi`, each in its own file, loaded only when run: `kanshi check` then
 * never loads the scan engine, the correlator or the property-test library (each module costs
 * start-up time). A new subcommand is one entry here.
 */
const COMMANDS: readonly CommandEntry[] = [
  { name: 'check', summary: 'parse and validate rules files, reporting every problem', load: async () => (await import('./check.js')).checkCommand },
  { name: 'scan', summary: 'scan captures and logs with rules; write alerts as EVE JSON or alert_fast', load: async () => (await import('./scan.js')).scanCommand },
  { name: 'correlate', summary: 're-correlate EVE alerts (kanshi or Suricata eve.json) with a policy', load: async () => (await import('./correlate.js')).correlateCommand },
  { name: 'test', summary: 'run rule test cases, and with --properties their attack variants', load: async () => (await import('./test.js')).testCommand },
];

// Standard output waits for a slow reader rather than queueing alerts in memory (see BlockingStdout).
const defaultIo: CommandIo = { stdout: new BlockingStdout(), stderr: process.stderr };

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: kanshi COMMAND [ARGS]...\n\ncommands:\n${lines.join('\n')}\n\nkanshi COMMAND --help shows a command's options.\n`;
}

/** Entry point of the `kanshi` command; returns the process exit code. */
export async function main(argv: string[], io: CommandIo = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(help());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(`kanshi: unknown command '${name}'\n${help()}`);
    return EXIT_USAGE;
  }
  return (await entry.load()).run(rest, io);
}
