/** What every `kanshi` subcommand provides; main.ts lists them with their one-line summaries. */
export interface Command {
  name: string;
  usage: string;
  /** Returns the exit code: 0 ok, 1 problems found, 2 usage error. */
  run(argv: string[], io: CommandIo): Promise<number>;
}

/** Output streams, injectable so tests can call commands without a child process. */
export interface CommandIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
}

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}
