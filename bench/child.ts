/** What benchmark modules that measure in child processes share. */

/** This process's Node options (the TypeScript loader among them), minus inline code to run. */
export function childExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') i++;
    else if (!a.startsWith('--eval=') && !a.startsWith('--print=') && !a.startsWith('--input-type')) out.push(a);
  }
  return out;
}
