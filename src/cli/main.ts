import { checkCommand } from './check.js';
import { scanCommand } from './scan.js';
import { testCommand } from './test.js';
import { correlateCommand } from './correlate.js';
import { EXIT_OK, EXIT_USAGE, type Command, type CommandIo } from './command.js';

/**
 * The subcommands of `kanshi`, each in its own file. A new subcommand is one import and one
 * entry here.
 */
const COMMANDS: readonly Command[] = [checkCommand, scanCommand, correlateCommand, testCommand];

const defaultIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };

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
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`kanshi: unknown command '${name}'\n${help()}`);
    return EXIT_USAGE;
  }
  return command.run(rest, io);
}
