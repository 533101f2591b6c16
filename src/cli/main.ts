/** Entry point of the `kanshi` command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`kanshi: not yet implemented: ${argv.join(' ')}\n`);
  return 2;
}
